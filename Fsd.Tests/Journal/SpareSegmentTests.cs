using Layered.Backing;

namespace Layered.Journal.Tests;

/// <summary>Segments the log no longer needs are kept as spares and become later segments (renamed back, trailer
/// blanked) instead of being deleted and zero-filled again: what that asks of the disk, read from a recording of
/// every store mutation, and that no crash in the middle of it loses an acknowledged record or lets the spare's old
/// bytes (valid records of the same sizes, valid trailer slots of the old segment) be read as log.</summary>
[Trait("Area", "Journal")]
public sealed class SpareSegmentTests
{
    private const string Directory = "j";
    private const int SegmentSizeBits = 17; // TempJournalFolder.SmallOptions
    private const int RecordsPerCommit = 7;

    private static JournalOptions Options(int spareLimit)
    {
        var small = TempJournalFolder.SmallOptions;
        return new JournalOptions
        {
            PageSizeBits = small.PageSizeBits, SegmentSizeBits = small.SegmentSizeBits, MemorySizeBits = small.MemorySizeBits,
            AutoCommitInterval = TimeSpan.Zero, SpareSegmentLimit = spareLimit,
        };
    }

    /// <summary>Record <paramref name="id"/>: about 1 KB whose every byte says which record it is, so a stale copy of
    /// another record can never pass for it.</summary>
    private static ChunkImageRecord Numbered(int id) =>
        new((UInt128)id, "f", id, Enumerable.Repeat((byte)id, 900).ToArray(), id, id);

    private static int[] SpareIds(IBackingStore store) =>
        store.ListDirectory(Directory).Where(e => e.Name.StartsWith("spare.", StringComparison.Ordinal))
            .Select(e => int.Parse(e.Name["spare.".Length..])).Order().ToArray();

    private static int[] SegmentIds(IBackingStore store) =>
        store.ListDirectory(Directory).Where(e => e.Name.StartsWith("log.", StringComparison.Ordinal))
            .Select(e => int.Parse(e.Name["log.".Length..])).Order().ToArray();

    /// <summary>Appends records <paramref name="from"/>.. up to <paramref name="count"/>, committing every few, and
    /// notes after each commit how many store operations had been issued when it was acknowledged.</summary>
    private static int AppendCommitted(WriteAheadJournal journal, int from, int count, List<(int Issued, int LastId)>? acks = null,
        RecordingBackingStore? store = null, List<long>? lsns = null)
    {
        long last = -1;
        int id = from;
        for (; id < from + count; id++)
        {
            last = journal.Append(Numbered(id));
            lsns?.Add(last);
            if ((id + 1) % RecordsPerCommit == 0)
            {
                journal.Commit(last);
                if (acks is not null)
                    acks.Add((store!.Recording.Count, id));
            }
        }
        journal.Commit(last);
        acks?.Add((store!.Recording.Count, id - 1));
        return id;
    }

    [Fact]
    public void AFreedSegmentBecomesTheNextSegmentByARenameAndABlankTrailerNotAZeroFill()
    {
        var store = new RecordingBackingStore(new InMemoryBackingStore());
        using (store)
        {
            using (var journal = WriteAheadJournal.Create(store, Directory, Options(spareLimit: 16), TempJournalFolder.Logger))
            {
                int next = AppendCommitted(journal, 0, 400); // ~400 KB: log.0 .. log.3
                int freeing = store.Recording.Count;
                journal.Checkpoint(journal.TailLsn);
                var freed = store.Recording.Operations.Skip(freeing).ToList();

                // The segments wholly below the checkpoint were renamed to spares, not deleted.
                Assert.DoesNotContain(freed, o => o.Kind == RecordedOperationKind.DeleteFile);
                var kept = freed.Where(o => o.Kind == RecordedOperationKind.Rename).ToList();
                Assert.NotEmpty(kept);
                Assert.All(kept, o => Assert.Matches(@"^j/log\.\d+ -> j/spare\.\d+$", o.Path + " -> " + o.TargetPath));
                int[] spares = SpareIds(store);
                Assert.Equal(kept.Count, spares.Length);
                int highest = SegmentIds(store).Max();

                int start = store.Recording.Count;
                AppendCommitted(journal, next, 200); // into the next segment
                var ops = store.Recording.Operations.Skip(start).ToList();
                string segment = $"{Directory}/log.{highest + 1}";

                var renamed = Assert.Single(ops, o => o.Kind == RecordedOperationKind.Rename && o.TargetPath == segment);
                Assert.Contains(renamed.Path, spares.Select(s => $"{Directory}/spare.{s}"));
                Assert.DoesNotContain(ops, o => o.Kind == RecordedOperationKind.CreateFile);
                int fileDurable = ops.First(o => o.Kind == RecordedOperationKind.FlushFile && o.Path == segment).Index;
                var beforeDurable = ops.Where(o => o.Kind == RecordedOperationKind.Write && o.Path == segment && o.Index < fileDurable).ToList();
                var blank = Assert.Single(beforeDurable);
                Assert.Equal(1L << SegmentSizeBits, blank.Offset);
                Assert.Equal(8192, blank.Length);
                Assert.False(blank.Data.Span.ContainsAnyExcept((byte)0));
                int directoryDurable = ops.First(o => o.Kind == RecordedOperationKind.SyncDirectory && o.Path == Directory && o.Index > renamed.Index).Index;
                int superblockDurable = ops.First(o => o.Kind == RecordedOperationKind.FlushFile && o.Path == Directory + "/superblock").Index;
                int firstSlot = ops.First(o => o.Kind == RecordedOperationKind.Write && o.Path == segment && o.Offset >= 1L << SegmentSizeBits
                    && o.Data.Span.ContainsAnyExcept((byte)0)).Index;
                Assert.True(renamed.Index < fileDurable && fileDurable < directoryDurable && directoryDurable < superblockDurable,
                    "the reused segment's blank trailer and name must be durable before the superblock records it");
                Assert.True(superblockDurable < firstSlot, "the superblock must record the segment before a commit point is written in it");
            }

            // A clean close keeps only what the log needs; the reopened log is whole and reports nothing.
            Assert.Empty(SpareIds(store));
            using var reopened = WriteAheadJournal.Open(store, Directory, Options(16), TempJournalFolder.Logger);
            Assert.Null(reopened.PendingTornTail);
            var ids = reopened.ReadForReplay().Select(e => e.Record).OfType<ChunkImageRecord>().Select(r => (int)r.FileId).ToList();
            Assert.Equal(Enumerable.Range(400, 200), ids);
        }
    }

    [Fact]
    public void FreedSegmentsBeyondTheLimitAreDeletedAndNoneAreKeptWithALimitOfZero()
    {
        foreach (int limit in new[] { 0, 2 })
        {
            using var store = new InMemoryBackingStore();
            using var journal = WriteAheadJournal.Create(store, Directory, Options(limit), TempJournalFolder.Logger);
            AppendCommitted(journal, 0, 800); // ~800 KB: seven segments
            journal.Checkpoint(journal.TailLsn);
            Assert.True(limit == SpareIds(store).Length, $"limit {limit}: spares {string.Join(",", SpareIds(store))}, segments {string.Join(",", SegmentIds(store))}");
            Assert.True(SegmentIds(store).Length == 1, $"limit {limit}: segments {string.Join(",", SegmentIds(store))}; pool threads {ThreadPool.ThreadCount}, pending {ThreadPool.PendingWorkItemCount}");
        }
    }

    [Fact]
    public void ABackingStoreShortOfSpaceGetsTheSparesBackAndKeepsNoNewOnes()
    {
        // Spares are kept only while four times what the limit lets them hold (16 x 136 KiB here) is available.
        using var store = new InMemoryBackingStore(new InMemoryStoreOptions { CapacityBytes = 64L << 20 });
        using var journal = WriteAheadJournal.Create(store, Directory, Options(16), TempJournalFolder.Logger);
        int next = AppendCommitted(journal, 0, 800);
        journal.Checkpoint(journal.TailLsn);
        Assert.NotEmpty(SpareIds(store));

        // Another program fills the disk until less than that reserve is left.
        using (var filler = store.OpenFile("filler", BackingOpenMode.CreateNew))
        {
            var block = new byte[1 << 20];
            while (store.GetStatistics().AvailableBytes > 6L << 20)
                filler.Write(filler.Length, block);
        }
        next = AppendCommitted(journal, next, 400);
        journal.Checkpoint(journal.TailLsn);

        Assert.Empty(SpareIds(store));
        Assert.Single(SegmentIds(store));
        var ids = journal.ReadForReplay().Select(e => e.Record).OfType<ChunkImageRecord>().ToList();
        Assert.Empty(ids); // the checkpoint covered everything; the log still works:
        journal.Commit(journal.Append(Numbered(next)));
    }

    [Fact]
    public void SparesLeftByACrashAreReusedAfterOpen()
    {
        // The process "dies" with spares on disk (the state is taken without closing the journal).
        var recorded = new RecordingBackingStore(new InMemoryBackingStore());
        var journal = WriteAheadJournal.Create(recorded, Directory, Options(16), TempJournalFolder.Logger);
        int next = AppendCommitted(journal, 0, 400);
        journal.Checkpoint(journal.TailLsn);
        using var crashed = new InMemoryBackingStore();
        recorded.Recording.ApplyAllTo(crashed);
        journal.Dispose();
        recorded.Dispose();
        int[] spares = SpareIds(crashed);
        Assert.NotEmpty(spares);

        using var store = new RecordingBackingStore(crashed);
        using (var reopened = WriteAheadJournal.Open(store, Directory, Options(16), TempJournalFolder.Logger))
        {
            Assert.Null(reopened.PendingTornTail);
            int start = store.Recording.Count;
            AppendCommitted(reopened, next, 300);
            Assert.Contains(store.Recording.Operations.Skip(start),
                o => o.Kind == RecordedOperationKind.Rename && o.Path.StartsWith(Directory + "/spare.", StringComparison.Ordinal));
            Assert.DoesNotContain(store.Recording.Operations.Skip(start), o => o.Kind == RecordedOperationKind.CreateFile);
        }
        using var again = WriteAheadJournal.Open(store, Directory, Options(16), TempJournalFolder.Logger);
        var ids = again.ReadForReplay().Select(e => e.Record).OfType<ChunkImageRecord>().Select(r => (int)r.FileId).ToList();
        Assert.Equal(Enumerable.Range(400, 300), ids);
    }

    [Fact]
    public void NoCrashWhileSegmentsAreRecycledLosesAnAcknowledgedRecordOrReadsASparesOldBytes()
    {
        // Checkpoints free segments (two kept as spares, the rest deleted) while later segments are made from the
        // spares, whose data part still holds records of the same sizes and whose trailer held valid slots.
        var store = new RecordingBackingStore(new InMemoryBackingStore());
        var acks = new List<(int Issued, int LastId)>();
        var lsns = new List<long>(); // of record i at [i]
        int total;
        using (var journal = WriteAheadJournal.Create(store, Directory, Options(spareLimit: 2), TempJournalFolder.Logger))
        {
            int id = 0;
            foreach (int records in new[] { 260, 520, 130, 400, 260, 520 }) // up to five segments freed at once
            {
                id = AppendCommitted(journal, id, records, acks, store, lsns);
                journal.Checkpoint(journal.TailLsn);
            }
            total = id;
        }
        Assert.Contains(store.Recording.Operations, o => o.Kind == RecordedOperationKind.Rename && o.Path.Contains("/spare.", StringComparison.Ordinal));
        Assert.Contains(store.Recording.Operations, o => o.Kind == RecordedOperationKind.DeleteFile && o.Path.Contains("/log.", StringComparison.Ordinal));

        int superblockDurable = store.Recording.Operations.First(o => o.Kind == RecordedOperationKind.FlushFile && o.Path == Directory + "/superblock").Index;
        var states = new CrashStateGenerator(store.Recording, new CrashStateOptions { MaxIntermediateCuts = 120, MaxStates = 1500 }).Enumerate().ToList();
        int checkedStates = 0;
        foreach (var state in states)
        {
            using var crashed = state.Materialize();
            if (state.CutIndex <= superblockDurable)
                continue; // Create's superblock not durable yet: no journal (JournalCommitDurabilityTests covers Create)
            int required = acks.Where(a => a.Issued <= state.CutIndex).Select(a => a.LastId).DefaultIfEmpty(-1).Max();
            List<int> ids;
            long from;
            try
            {
                using var reopened = WriteAheadJournal.Open(crashed, Directory, Options(2), TempJournalFolder.Logger);
                (ids, from) = Replayed(reopened, state);
                // Everything issued before the cut persisted: nothing can look torn (a spare's old trailer slots,
                // not blanked, would read as a damaged slot here).
                if (state.Kind == CrashStateKind.Prefix)
                    Assert.True(reopened.PendingTornTail is null, $"{state}: {reopened.PendingTornTail?.Reason}");
                if (checkedStates % 25 == 0)
                    AppendAfterTheCrash(reopened, total, state);
            }
            catch (JournalCorruptException e)
            {
                throw new Xunit.Sdk.XunitException($"{state}: {e.Message}");
            }
            // Replay starts at the durable checkpoint: the first record at or after it, then every record in order,
            // through at least the last one acknowledged (unless that one is below the checkpoint too).
            int first = lsns.FindIndex(l => l >= from);
            if (ids.Count > 0)
            {
                Assert.True(ids[0] == first, $"{state}: replay from LSN {from} starts at record {ids[0]}, not {first}");
                Assert.True(ids.SequenceEqual(Enumerable.Range(ids[0], ids.Count)), $"{state}: replay is not one run of consecutive records");
                Assert.True(ids[^1] < total, $"{state}: replay has a record never appended");
            }
            if (required >= 0 && lsns[required] >= from)
                Assert.True(ids.Count > 0 && ids[^1] >= required, $"{state}: record {required} was acknowledged but replay ends at {(ids.Count == 0 ? -1 : ids[^1])}");
            checkedStates++;
            if (checkedStates % 25 == 1)
            {
                // The crashed journal reopened, written into (reusing what spares it adopted) and reopened again.
                using var again = WriteAheadJournal.Open(crashed, Directory, Options(2), TempJournalFolder.Logger);
                var (after, _) = Replayed(again, state);
                Assert.Equal(Enumerable.Range(total, 150), after);
            }
        }
        Assert.True(checkedStates > 300, $"only {checkedStates} crash states were checked");
    }

    private static (List<int> Ids, long From) Replayed(WriteAheadJournal journal, CrashState state)
    {
        var ids = new List<int>();
        var replay = journal.ReadForReplay();
        foreach (var entry in replay)
        {
            if (entry.Record is not ChunkImageRecord record)
                continue;
            int id = (int)record.FileId;
            Assert.True(record.ChunkIndex == id && record.StoredChunk.All(b => b == (byte)id), $"{state}: record {id} does not hold its own bytes");
            ids.Add(id);
        }
        return (ids, replay.FromLsn);
    }

    private static void AppendAfterTheCrash(WriteAheadJournal journal, int from, CrashState state)
    {
        if (journal.PendingTornTail is not null)
            journal.Checkpoint(journal.TailLsn); // a torn tail refuses appends until a checkpoint
        journal.Checkpoint(journal.TailLsn); // replay then holds only what follows
        AppendCommitted(journal, from, 150);
        Assert.True(journal.DurableLsn >= journal.TailLsn, $"{state}: the appends after the crash were not committed");
    }
}
