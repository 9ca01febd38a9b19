#!/usr/bin/env bash
# Installs the built `layered` (scripts/mount-vault.sh builds it into bin/) system-wide, with the fstab helper
# and the systemd unit: /opt/layered, /usr/local/bin/layered, /sbin/mount.fuse.layered,
# /etc/systemd/system/layered-mount@.service. Run as root.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ -x "$here/bin/layered" ] || dotnet publish "$here/cli/Layered.Cli.csproj" -c Release -o "$here/bin" --nologo -v quiet
install -d /opt/layered /etc/layered
cp -a "$here/bin/." /opt/layered/
ln -sf /opt/layered/layered /usr/local/bin/layered
install -m 0755 "$here/packaging/mount.fuse.layered" /sbin/mount.fuse.layered
install -m 0644 "$here/packaging/layered-mount@.service" /etc/systemd/system/layered-mount@.service
command -v systemctl >/dev/null && systemctl daemon-reload 2>/dev/null || true
echo "Installed layered to /opt/layered (see packaging/README.md for fstab and systemd use)"
