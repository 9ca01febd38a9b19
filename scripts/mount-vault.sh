#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing (FUSE 3), build the `layered` command,
# create the vault if it does not exist yet, and mount it.
# Usage: scripts/mount-vault.sh VAULT MOUNTPOINT [--password-file F]
#   Without --password-file the password is asked on the terminal (twice when the vault is created).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: scripts/mount-vault.sh VAULT MOUNTPOINT [--password-file F]" >&2
  exit 2
fi
vault=$1; mountpoint=$2; shift 2
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/install-deps.sh"
command -v dotnet >/dev/null || { echo "scripts/mount-vault.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
"$here/scripts/publish-cli.sh" "$here/bin"
layered="$here/bin/layered"
if [ ! -e "$vault/.layered/vault.config" ]; then
  "$layered" init "$vault" "$@"
fi
mkdir -p "$mountpoint"
"$layered" mount "$vault" "$mountpoint" "$@"
echo "Unmount with: $layered unmount $mountpoint"
