#!/usr/bin/env bash
# Counts the FUSE requests a command makes the kernel send to one mount, per opcode, with their latency
# (request sent to /dev/fuse -> reply received: median, mean, p99 and the sum) and errors. Reads the kernel's fuse tracepoints
# (fuse_request_send / fuse_request_end, Linux 6.13 and later) in a private tracefs instance, filtered to
# the mount's connection, so other mounts and other tracing are not disturbed. Root only.
#
# Usage: scripts/fuse-requests.sh MOUNTPOINT [--per N] -- COMMAND [ARGS...]
#   --per N   also divide the counts by N (e.g. the number of files the command created)
# Example: scripts/fuse-requests.sh /mnt/vault --per 100 -- sh -c 'for i in $(seq 100); do echo x > /mnt/vault/f$i; done'
set -euo pipefail

usage() { echo "usage: $0 MOUNTPOINT [--per N] -- COMMAND [ARGS...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
mountpoint=$1; shift
per=1
if [ "$1" = "--per" ]; then
  [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "$0: --per needs a positive whole number, got '${2:-}'" >&2; exit 2; }
  per=$2; shift 2
fi
[ "${1:-}" = "--" ] || usage
shift
[ $# -ge 1 ] || usage

[ "$(id -u)" -eq 0 ] || { echo "$0: needs root (tracefs)" >&2; exit 1; }
fstype=$(stat -f -c %T "$mountpoint" 2>/dev/null) || { echo "$0: '$mountpoint' does not exist" >&2; exit 1; }
case "$fstype" in fuse*) ;; *) echo "$0: '$mountpoint' is not a FUSE mount (file system type '$fstype')" >&2; exit 1 ;; esac
# The tracepoints name the connection by the superblock's device number: major 0, minor N -> N.
devno=$(mountpoint -d "$mountpoint") || { echo "$0: '$mountpoint' is not a mount point" >&2; exit 1; }
connection=${devno#*:}

tracing=/sys/kernel/tracing
[ -d "$tracing/events" ] || mount -t tracefs nodev "$tracing"
[ -d "$tracing/events/fuse/fuse_request_send" ] ||
  { echo "$0: this kernel has no fuse tracepoints (Linux 6.13 or later, CONFIG_FUSE_FS)" >&2; exit 1; }

instance="$tracing/instances/fuse-requests-$$"
mkdir "$instance"
trap 'echo 0 > "$instance/tracing_on" 2>/dev/null; rmdir "$instance" 2>/dev/null || true' EXIT
echo 65536 > "$instance/buffer_size_kb"
for event in fuse_request_send fuse_request_end; do
  echo "connection == $connection" > "$instance/events/fuse/$event/filter"
  echo 1 > "$instance/events/fuse/$event/enable"
done
echo 1 > "$instance/tracing_on"
status=0
"$@" || status=$?
echo 0 > "$instance/tracing_on"

python3 - "$per" "$status" "$instance/trace" <<'PY'
import re, sys
per, status, trace = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
send = re.compile(r'\s(\d+\.\d+): fuse_request_send: connection \d+ req (\d+) opcode \d+ \((\w+)\)')
end = re.compile(r'\s(\d+\.\d+): fuse_request_end: connection \d+ req (\d+) len \d+ error (-?\d+)')
started, stats, lost = {}, {}, False
for line in open(trace):
    if 'LOST' in line:
        lost = True
    m = send.search(line)
    if m:
        started[m.group(2)] = (float(m.group(1)), m.group(3).removeprefix('FUSE_'))
        continue
    m = end.search(line)
    if m and m.group(2) in started:
        t0, op = started.pop(m.group(2))
        s = stats.setdefault(op, {'n': 0, 'errors': 0, 'lat': []})
        s['n'] += 1
        s['errors'] += int(m.group(3)) != 0
        s['lat'].append((float(m.group(1)) - t0) * 1e6)
for t0, op in started.values():  # sent, never answered (FORGET has no reply)
    stats.setdefault(op, {'n': 0, 'errors': 0, 'lat': []})['n'] += 1
total = sum(s['n'] for s in stats.values())
print(f"{'opcode':<16}{'count':>9}{'per op' if per > 1 else '':>9}{'errors':>8}{'median µs':>11}{'mean µs':>10}{'p99 µs':>10}{'total ms':>10}")
for op, s in sorted(stats.items(), key=lambda kv: -kv[1]['n']):
    lat = sorted(s['lat'])
    med = f"{lat[len(lat) // 2]:.1f}" if lat else '-'
    p99 = f"{lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.1f}" if lat else '-'
    mean = f"{sum(lat) / len(lat):.1f}" if lat else '-'
    share = f"{s['n'] / per:.2f}" if per > 1 else ''
    print(f"{op:<16}{s['n']:>9}{share:>9}{s['errors']:>8}{med:>11}{mean:>10}{p99:>10}{sum(lat) / 1000:>10.1f}")
# Time the kernel waited for answers, summed over requests (overlapping ones count each): where a command's time goes.
waited = sum(sum(s['lat']) for s in stats.values()) / 1000
print(f"{'total':<16}{total:>9}{(f'{total / per:.2f}' if per > 1 else ''):>9}{'':>8}{'':>11}{'':>10}{'':>10}{waited:>10.1f}")
if lost:
    print("warning: the trace buffer overflowed; counts are low", file=sys.stderr)
if status:
    print(f"note: the command exited with status {status}", file=sys.stderr)
PY
exit "$status"
