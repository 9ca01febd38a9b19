#!/usr/bin/env bash
# The benchmark suite in one command (docs/benchmarks.md): installs the peers and tools from Debian, builds the
# layered CLI and Fsd.Bench, then runs the side-by-side file system workloads (issue #9) and, unless
# --workloads-only, the engine in-process benchmarks (issue #4).
# Usage: scripts/bench.sh [--quick] [--workloads-only | --engine-only] [workload runner options, e.g. --runs 5]
#   A FULL workload run copies its chart to docs/benchmarks-workloads.png; copy the table from
#   artifacts/workloads/results.md into docs/benchmarks.md by hand.
#   --quick  small sizes and one run: checks that everything works in a few minutes.
# Must run as root (apt-get, drop_caches, FUSE mounts). Results: artifacts/workloads/ (results.md, ratios.png)
# and BenchmarkDotNet.Artifacts/ for the engine benchmarks.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export LAYERED_BUILD_SLOT=${LAYERED_BUILD_SLOT:-bench}
workloads=1; engine=1; runner_args=()
for arg in "$@"; do
  case "$arg" in
    --workloads-only) engine=0 ;;
    --engine-only) workloads=0 ;;
    *) runner_args+=("$arg") ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "scripts/bench.sh: run as root (installs packages, drops caches, mounts FUSE)" >&2; exit 1; }

packages=(fuse3 bindfs gocryptfs securefs cryfs fio librsvg2-bin)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/bench.sh: installing ${missing[*]}"
  apt-get update -qq
  # A peer that fails to install is reported as SKIPPED by the runner, so the rest still runs.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" || echo "scripts/bench.sh: some packages did not install" >&2
fi

# The mount under test is the published, ReadyToRun build users get from scripts/mount-vault.sh.
"$here/scripts/publish-cli.sh" "$here/artifacts/$LAYERED_BUILD_SLOT/publish/layered"
dotnet build -c Release Fsd.Bench/Layered.Fsd.Bench.csproj --nologo -v quiet
layered="$here/artifacts/$LAYERED_BUILD_SLOT/publish/layered/layered"

if [ $workloads = 1 ]; then
  dotnet run -c Release --no-build --project Fsd.Bench -- workloads --layered "$layered" --out "$here/artifacts/workloads" "${runner_args[@]}"
  # A FULL run's chart is the one docs/benchmarks.md shows; a QUICK run only checks the runner.
  case " ${runner_args[*]} " in
    *" --quick "*) ;;
    *) [ -f "$here/artifacts/workloads/ratios.png" ] && cp "$here/artifacts/workloads/ratios.png" "$here/docs/benchmarks-workloads.png" ;;
  esac
fi
if [ $engine = 1 ]; then
  filter=('--filter' '*Engine*')
  dotnet run -c Release --no-build --project Fsd.Bench -- "${filter[@]}"
fi
