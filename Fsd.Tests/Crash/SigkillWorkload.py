# Write-heavy workload for SigkillRecoveryTests: random overwrites and appends on a few files in the mounted
# vault, fsync after some of them. Before each write it logs the range to DIR/dirty-<file> (flushed), and after
# each fsync it saves the file's model content to DIR/expected-<file> and clears that log: after a crash, every
# byte outside the logged ranges must equal the saved content.
import os, random, sys

mount, state, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
names = ["f0", "f1", "f2"]
model = {}
for n in names:
    path = os.path.join(mount, n)
    model[n] = bytearray(open(path, "rb").read()) if os.path.exists(path) else bytearray()
    open(os.path.join(state, "dirty-" + n), "w").close()
    with open(os.path.join(state, "expected-" + n), "wb") as f:
        f.write(model[n])
        f.flush(); os.fsync(f.fileno())
fds = {n: os.open(os.path.join(mount, n), os.O_RDWR | os.O_CREAT, 0o644) for n in names}
dirty = {n: open(os.path.join(state, "dirty-" + n), "a") for n in names}
while True:
    n = rng.choice(names)
    m = model[n]
    length = rng.choice([1, 100, 4096, 5000, 20000])
    offset = rng.randrange(0, len(m) + 1) if m and rng.random() < 0.7 else len(m)
    offset = min(offset, 2_000_000)
    data = os.urandom(length)
    dirty[n].write(f"{offset} {length}\n"); dirty[n].flush(); os.fsync(dirty[n].fileno())
    os.pwrite(fds[n], data, offset)
    if offset > len(m):
        m.extend(b"\0" * (offset - len(m)))
    m[offset:offset + length] = data
    if rng.random() < 0.25:
        os.fsync(fds[n])
        tmp = os.path.join(state, "expected-" + n + ".tmp")
        with open(tmp, "wb") as f:
            f.write(m); f.flush(); os.fsync(f.fileno())
        os.replace(tmp, os.path.join(state, "expected-" + n))
        dirty[n].close()
        dirty[n] = open(os.path.join(state, "dirty-" + n), "w")
        dirty[n].flush(); os.fsync(dirty[n].fileno())
