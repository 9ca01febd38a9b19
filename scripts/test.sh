#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine: installs what the tests need, builds, tests.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter Area=Crypto]
# Test assemblies run one at a time (-m:1): mounts, SIGKILL and Coyote tests are timing-sensitive on 2 cores.
# Ends with one summary line over every test assembly: "Tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet build Layered.sln -c Release
log=$(mktemp)
status=0
# No test takes more than about a minute here: one that runs for 10 is hung (a lost wake-up, a mount that never
# answers). The blame collector then names it and ends its test host, so the run fails in bounded time instead
# of hanging until CI's own limit with nothing said.
dotnet test Layered.sln -c Release --no-build -m:1 --logger "console;verbosity=normal" \
  --blame-hang-timeout 10m --blame-hang-dump-type none "$@" 2>&1 | tee "$log" || status=$?
# dotnet test ends each assembly with "Total tests: N" then "     Passed: N" / "     Failed: N" / "    Skipped: N".
read -r passed failed skipped < <(grep -E '^ *(Passed|Failed|Skipped): *[0-9]+ *$' "$log" |
  awk '$1=="Passed:"{p+=$2} $1=="Failed:"{f+=$2} $1=="Skipped:"{s+=$2} END {print p+0, f+0, s+0}')
# CI keeps only the end of this output: repeat each failed test (its name, message and the top of its stack)
# right above the summary, where it is still seen.
if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then
  echo "Failed tests:"
  awk '/^ *Failed [^ :]+/ {n=14} /aborted|hang/ {n=n>3?n:3} n>0 {print; n--}' "$log"
fi
rm -f "$log"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
