#!/usr/bin/env bash
# Installs the Debian packages Layered needs (FUSE 3 and the tools the end-to-end tests drive: attr for
# setfattr/getfattr, util-linux-extra for fincore (Debian 12 moved it out of util-linux), sqlite3, rsync, git).
# Idempotent: does nothing when everything is already there.
set -euo pipefail
need=()
for pkg in fuse3 libfuse3-3 libfuse3-dev gcc libc6-dev sqlite3 rsync git util-linux util-linux-extra python3 attr; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
