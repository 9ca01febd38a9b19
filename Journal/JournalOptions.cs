namespace Layered.Journal;

/// <summary>
/// Tuning of the journal. Page and segment sizes only apply when a journal is created: an existing journal
/// keeps the geometry recorded in its superblock.
/// </summary>
public sealed class JournalOptions
{
    /// <summary>log2 of the FasterLog page size. Default 21 (2 MiB). A record must fit in one page, so this bounds
    /// the largest record (<see cref="MaxRecordSize"/>): 2 MiB leaves room for a 1 MiB chunk image plus overhead.</summary>
    public int PageSizeBits { get; init; } = 21;

    /// <summary>log2 of the segment file size, the granularity in which truncation frees space. Default 22
    /// (4 MiB), so a small vault gets its space back after a few MiB of journal. Must be ≥ the page size.</summary>
    public int SegmentSizeBits { get; init; } = 22;

    /// <summary>How many segments the log no longer needs are kept (as <c>spare.N</c> files) to become later segments,
    /// instead of being deleted and created again with a zero fill. Default 16: at 4 MiB segments that covers the
    /// 64 MiB of log the engine lets grow between checkpoints under sustained writes, so such a workload writes its
    /// journal into the same files over and over. Spares hold disk space until the journal is closed (a clean
    /// close deletes them). Zero deletes every freed segment at once.</summary>
    public int SpareSegmentLimit { get; init; } = 16;

    /// <summary>log2 of the in-memory ring of pages. Default 24 (16 MiB = 8 pages of 2 MiB); at least 4 pages,
    /// because a tiny ring makes appends spin on back-pressure (fasterlog.md §10.16).</summary>
    public int MemorySizeBits { get; init; } = 24;

    /// <summary>How long a commit may take, despite the watchdog's nudges, before the journal gives up with
    /// <see cref="JournalStallException"/>. Default 10 s.</summary>
    public TimeSpan CommitWatchdogTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pending commit waits before the watchdog nudges FasterLog (enters its epoch so a parked
    /// flush runs, and re-issues the commit; fasterlog.md §10.3). Default 2 ms.</summary>
    public TimeSpan StallPumpInterval { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>The "short timer" durability point of DESIGN §6: records appended without an explicit commit
    /// become durable within about this long. Default 100 ms: nothing waits for this timer (fsync, flush, a
    /// checkpoint and held chunk rewrites commit explicitly), it only bounds what a crash can lose of work nobody
    /// synced, and at 10 ms its commit (a write, a read-back for the trailer's CRC, a trailer write and an
    /// fdatasync) ran about a hundred times a second under any metadata load, which cost small-file creates
    /// through a mount ~8 % (docs/benchmarks.md). <see cref="TimeSpan.Zero"/> turns it off.</summary>
    public TimeSpan AutoCommitInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Test-only fault injection (see <see cref="JournalFaultHooks"/>).</summary>
    internal JournalFaultHooks? FaultHooks { get; init; }

    public long PageSize => 1L << PageSizeBits;

    /// <summary>The largest encoded record (header, body and CRC) that <see cref="WriteAheadJournal.Append"/> accepts.</summary>
    public int MaxRecordSize => MaxRecordSizeFor(PageSizeBits);

    internal static int MaxRecordSizeFor(int pageSizeBits) =>
        // FasterLog's 12-byte entry header (length + checksum) and the 64 reserved bytes at the start of page 0.
        (int)Math.Min(int.MaxValue, (1L << pageSizeBits) - 64 - 12) & ~3;

    internal void Validate()
    {
        if (PageSizeBits is < 12 or > 30)
            throw new ArgumentOutOfRangeException(nameof(PageSizeBits), PageSizeBits, "JournalOptions.PageSizeBits must be between 12 (4 KiB) and 30 (1 GiB)");
        if (SegmentSizeBits < PageSizeBits || SegmentSizeBits > 40)
            throw new ArgumentOutOfRangeException(nameof(SegmentSizeBits), SegmentSizeBits, "JournalOptions.SegmentSizeBits must be at least PageSizeBits and at most 40");
        if (MemorySizeBits < PageSizeBits + 2 || MemorySizeBits > 34)
            throw new ArgumentOutOfRangeException(nameof(MemorySizeBits), MemorySizeBits, "JournalOptions.MemorySizeBits must hold at least 4 pages (PageSizeBits + 2) and at most 34");
        if (SpareSegmentLimit is < 0 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(SpareSegmentLimit), SpareSegmentLimit, "JournalOptions.SpareSegmentLimit must be between 0 and 1024");
        if (CommitWatchdogTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(CommitWatchdogTimeout), CommitWatchdogTimeout, "JournalOptions.CommitWatchdogTimeout must be positive");
        if (StallPumpInterval <= TimeSpan.Zero || StallPumpInterval >= CommitWatchdogTimeout)
            throw new ArgumentOutOfRangeException(nameof(StallPumpInterval), StallPumpInterval, "JournalOptions.StallPumpInterval must be positive and shorter than CommitWatchdogTimeout");
        if (AutoCommitInterval < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AutoCommitInterval), AutoCommitInterval, "JournalOptions.AutoCommitInterval must not be negative");
    }
}
