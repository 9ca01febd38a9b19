#!/usr/bin/env bash
# Publishes the `layered` command into the folder given (default: bin/), compiled ReadyToRun for this machine's
# architecture: a fresh mount then runs precompiled code instead of spending its first seconds in the JIT (perf of
# the first untar after mounting: a fifth of the samples were in libclrjit; docs/benchmarks.md, item 7).
# Usage: scripts/publish-cli.sh [OUTPUT_FOLDER]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out=${1:-"$here/bin"}
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "scripts/publish-cli.sh: no ReadyToRun target for $(uname -m); publishing without it" >&2; rid= ;;
esac
if [ -n "$rid" ]; then
  dotnet publish "$here/cli/Layered.Cli.csproj" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$out" --nologo -v quiet
else
  dotnet publish "$here/cli/Layered.Cli.csproj" -c Release -o "$out" --nologo -v quiet
fi
