using Layered.Fsd;

namespace Layered.Crash.Tests;

/// <summary>
/// Sets the delete disposition of an open file several times (DESIGN §1 race 2, in one order), then cleans up:
/// the last value decides, and the file is deleted at last cleanup.
/// </summary>
public sealed record DeleteDispositionOp(string Path, bool[] Settings) : WorkloadOp
{
    public override void Run(WorkloadContext ctx)
    {
        var h = ctx.Open(Path);
        foreach (var s in Settings)
            WorkloadContext.Ok(ctx.Volume.SetDeleteDisposition(h, s), $"delete disposition {Path}");
        ctx.Volume.Release(h);
    }

    public override void Model(ModelFileSystem m)
    {
        if (Settings[^1])
            m.Paths.Remove(Path);
    }
}

/// <summary>The crash workloads of issue #8, each small enough to check many crash states.</summary>
public static class Workloads
{
    public static byte[] Pattern(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>Symbolic links, in a test of their own: creation writes the link into a temporary and renames it
    /// into place, and the temporary must be durable before the rename is.</summary>
    public static readonly WorkloadOp[] Symlinks =
    [
        new CreateOp("f"), new WriteOp("f", 0, 100, 26), new SymlinkOp("s", "f"), new FsyncOp("f"),
        new SymlinkOp("s2", "nowhere/at/all"), new MkdirOp("d"), new SymlinkOp("d/up", ".."), new SyncOp(),
    ];

    /// <summary>Writes kept ahead of the valid data length (writeback flushes a file in several requests at once),
    /// through one held handle: a block beyond a gap, then the block that fills it; a range settled by fsync; an
    /// overwrite journaled (with the file's size) while a range waits, committed by an fsync of another file; a range
    /// settled by an unaligned write into its gap; one cut by a truncate; one left for the unmount. In a test of
    /// their own: comparing the live engine after every step would read the file and so settle every range.</summary>
    public static readonly WorkloadOp[] WritesAhead =
    [
        new CreateOp("w"), new CreateOp("v"), new HoldOp("w"), new WriteHeldOp("w", 8192, 4096, 26), new WriteHeldOp("w", 0, 8192, 27),
        new WriteHeldOp("w", 20480, 3000, 28), new FsyncOp("w"), new WriteHeldOp("w", 32768, 4096, 29),
        new WriteHeldOp("w", 1000, 50, 33), new FsyncOp("v"), new WriteHeldOp("w", 24000, 100, 30),
        new WriteHeldOp("w", 40960, 5000, 31), new TruncateOp("w", 43000), new FsyncOp("w"), new WriteHeldOp("w", 53248, 4096, 32),
        new ReleaseHeldOp("w"),
    ];

    public static readonly IReadOnlyDictionary<string, WorkloadOp[]> All = new Dictionary<string, WorkloadOp[]>
    {
        // DESIGN §1 race 1, X→Y and Y→Z both replacing, in the order where Y→Z runs first.
        ["rename-chain"] =
        [
            new CreateOp("X"), new WriteOp("X", 0, 5000, 1), new CreateOp("Y"), new WriteOp("Y", 0, 3000, 2),
            new CreateOp("Z"), new SyncOp(), new RenameOp("Y", "Z"), new RenameOp("X", "Y"), new FsyncOp("Y"),
        ],
        // Race 2: set and clear the delete disposition, last one set.
        ["delete-disposition"] =
        [
            new CreateOp("d"), new WriteOp("d", 0, 6000, 3), new FsyncOp("d"),
            new DeleteDispositionOp("d", [true, false, true]), new CreateOp("e"), new DeleteDispositionOp("e", [true, false]),
        ],
        // Race 3: truncates and writes on one file, in one order.
        ["truncate-vs-write"] =
        [
            new CreateOp("t"), new WriteOp("t", 0, 10000, 4), new FsyncOp("t"), new TruncateOp("t", 5000),
            new WriteOp("t", 3000, 4000, 5), new TruncateOp("t", 9000), new FsyncOp("t"), new TruncateOp("t", 100),
        ],
        // Race 4: appends, some fsynced.
        ["appends"] =
        [
            new CreateOp("log"), new AppendOp("log", 700, 6), new AppendOp("log", 4000, 7), new FsyncOp("log"),
            new AppendOp("log", 5000, 8), new AppendOp("log", 1, 9), new FsyncOp("log"), new AppendOp("log", 3000, 10),
        ],
        // The atomic-replace pattern of editors: write a temporary, fsync it, rename over the original.
        ["atomic-replace"] =
        [
            new CreateOp("doc"), new WriteOp("doc", 0, 7000, 11), new SyncOp(), new CreateOp("doc.tmp"),
            new WriteOp("doc.tmp", 0, 9000, 12), new FsyncOp("doc.tmp"), new RenameOp("doc.tmp", "doc"), new FsyncOp("doc"),
        ],
        // Truncate down and back up inside one chunk.
        ["truncate-in-chunk"] =
        [
            new CreateOp("c"), new WriteOp("c", 0, 6000, 13), new FsyncOp("c"), new TruncateOp("c", 4500),
            new TruncateOp("c", 5500), new FsyncOp("c"), new TruncateOp("c", 4100), new WriteOp("c", 4200, 50, 14),
        ],
        // Overwrites inside chunks that hold data: the in-place rewrites issue #8 makes atomic.
        ["overwrite-in-chunk"] =
        [
            new CreateOp("o"), new WriteOp("o", 0, 12000, 15), new FsyncOp("o"), new WriteOp("o", 1000, 100, 16),
            new WriteOp("o", 4000, 300, 17), new FsyncOp("o"), new WriteOp("o", 9000, 3500, 18), new FsyncOp("o"),
            new WriteOp("o", 50, 10, 19),
        ],
        // Unlink of an open file: its data lives on under the orphan name until the last close.
        ["unlink-open"] =
        [
            new CreateOp("u"), new WriteOp("u", 0, 5000, 20), new FsyncOp("u"), new HoldOp("u"), new UnlinkOp("u"),
            new WriteHeldOp("u", 100, 2000, 21), new CreateOp("v"), new FsyncOp("v"), new ReleaseHeldOp("u"),
        ],
        ["mkdir-rmdir-tree"] =
        [
            new MkdirOp("a"), new MkdirOp("a/b"), new MkdirOp("a/b/c"), new CreateOp("a/b/f"), new WriteOp("a/b/f", 0, 100, 22),
            new SyncOp(), new RmdirOp("a/b/c"), new RenameOp("a/b", "b2"), new UnlinkOp("b2/f"), new RmdirOp("b2"), new MkdirOp("a/z"),
        ],
        ["hard-links"] =
        [
            new CreateOp("f"), new WriteOp("f", 0, 4096, 23), new LinkOp("f", "g"), new FsyncOp("g"),
            new WriteOp("g", 10, 10, 24), new UnlinkOp("f"), new LinkOp("g", "h"), new FsyncOp("h"),
        ],
        ["attributes-times"] =
        [
            new CreateOp("m"), new WriteOp("m", 0, 300, 25), new SetModeOp("m", 0b110_000_000), new MkdirOp("dm"),
            new SetModeOp("dm", 0b111_000_000), new SetTimesOp("m", new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc)),
            new FsyncOp("m"), new SetModeOp("m", 0b100_100_100), new SetTimesOp("dm", new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        ],
    };
}
