#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine: installs what the tests need, builds, tests.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter Area=Crypto]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet build Layered.sln -c Release
dotnet test Layered.sln -c Release --no-build --logger "console;verbosity=normal" "$@"
