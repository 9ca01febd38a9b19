using System.Collections.Concurrent;
using Layered.Journal.Storage;

namespace Layered.Journal.Tests;

/// <summary>
/// A commit point may sit at the start of a page after the previous page's padding (FasterLog leaves the end of a
/// page empty when the next entry does not fit). The commit driver seals every FasterLog commit, so each commit
/// slot records which sequence number it ends with; the scanner accepts that padding only when the last record it
/// read is the one the commit recorded, and keeps treating a shortfall as damage (a zeroed header can hide
/// records the same way).
/// </summary>
[Trait("Area", "Journal")]
public sealed class JournalPagePaddingTests : IDisposable
{
    private const int PageSizeBits = 16; // TempJournalFolder.SmallOptions
    private readonly TempJournalFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Appends 1,000-byte records until one starts a new page after padding; returns the records before
    /// that page with their sequence numbers, and the page's start.</summary>
    private static (List<JournalEntry> BeforePage, long PageStart) FillPastAPageWithPadding(WriteAheadJournal journal)
    {
        var payload = new byte[1000];
        long previousEnd = WriteAheadJournal.FirstLsn;
        for (int i = 0; i < 1000; i++)
        {
            long lsn = journal.Append(new ChunkImageRecord((UInt128)i, "f", i, payload, i, i));
            if (lsn >> PageSizeBits != previousEnd >> PageSizeBits && lsn > previousEnd)
            {
                journal.Commit(lsn);
                var before = journal.ReadForReplay().Where(e => e.Lsn < lsn).ToList();
                return (before, lsn);
            }
            previousEnd = journal.TailLsn;
        }
        throw new InvalidOperationException("no page turn with padding in 1,000 records");
    }

    private static (List<JournalEntry> Read, TornTail? Torn) Scan(WriteAheadJournal journal, long end, long committedLastSequence)
    {
        var scanner = new LogScanner(journal.Log, journal.CheckpointLsn, end, tailStart: journal.CheckpointLsn, PageSizeBits,
            journal.SegmentFileOf, committedLastSequence);
        var read = new List<JournalEntry>();
        while (scanner.MoveNext())
            read.Add(scanner.Current);
        scanner.Dispose();
        return (read, scanner.TornTail);
    }

    [Fact]
    public void ACommitPointAfterPagePaddingIsIntactWhenItsRecordedLastRecordWasRead()
    {
        using var journal = _folder.Create();
        var (before, pageStart) = FillPastAPageWithPadding(journal);

        var (read, torn) = Scan(journal, pageStart, before[^1].Sequence);

        Assert.Null(torn);
        Assert.Equal(before.Select(e => e.Sequence), read.Select(e => e.Sequence));
    }

    [Fact]
    public void ACommitPointAfterPagePaddingIsDamageWhenRecordsItRecordedAreMissing()
    {
        using var journal = _folder.Create();
        var (before, pageStart) = FillPastAPageWithPadding(journal);

        var (missing, tornMissing) = Scan(journal, pageStart, before[^1].Sequence + 1);
        var (unknown, tornUnknown) = Scan(journal, pageStart, committedLastSequence: -1);

        Assert.NotNull(tornMissing);
        Assert.Contains("committed up to " + pageStart, tornMissing.Reason);
        Assert.Equal(before.Count, missing.Count);
        Assert.NotNull(tornUnknown);
        Assert.Equal(before.Count, unknown.Count);
    }

    [Fact]
    public async Task EveryCommitTheWatchdogReissuesRecordsItsLastSequenceNumber()
    {
        // Device writes are held, so commits stay pending and the watchdog re-asks FasterLog every 2 ms while
        // records keep arriving: each re-issued commit covers a later tail. Every commit slot written must still
        // say which sequence number it ends with, or recovery could not tell page padding from hidden records.
        var hooks = new JournalFaultHooks();
        var options = TempJournalFolder.SmallOptionsWithHooks(hooks);
        _folder.Create().Dispose();
        var journal = _folder.Open(options);
        var slots = new ConcurrentQueue<CommitSlot>();
        journal.CommitManager.Persisted = slots.Enqueue;
        try
        {
            hooks.HoldDeviceWrites();
            var commits = new List<Task>();
            for (int i = 0; i < 20; i++)
            {
                long lsn = journal.Append(new SetSizeRecord((UInt128)i, "f", i, i));
                commits.Add(journal.CommitAsync(lsn).AsTask());
                await Task.Delay(10);
            }
            Assert.True(journal.Driver.WatchdogNudges > 0, "the watchdog never re-issued a commit");
            hooks.ReleaseDeviceWrites();
            await Task.WhenAll(commits);
        }
        finally
        {
            hooks.ReleaseDeviceWrites();
            journal.Dispose();
        }

        Assert.NotEmpty(slots);
        Assert.All(slots, slot => Assert.True(slot.LastSequence > 0,
            $"the commit up to {slot.UntilAddress} recorded sequence number {slot.LastSequence}"));
        using var reopened = _folder.Open();
        Assert.Null(reopened.PendingTornTail);
        Assert.Equal(20, reopened.ReadForReplay().Count(e => e.Record is SetSizeRecord));
    }
}
