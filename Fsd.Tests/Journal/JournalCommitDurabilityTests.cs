using Layered.Backing;

namespace Layered.Journal.Tests;

/// <summary>What a commit asks of the disk, read from a recording of every store mutation: in steady state one
/// durable operation (fdatasync of the segment that holds data and commit trailer), and a new segment is
/// preallocated, made durable and recorded in the superblock before any commit point can live in it.</summary>
[Trait("Area", "Journal")]
public sealed class JournalCommitDurabilityTests
{
    private const string Directory = "j";
    private const int SegmentSizeBits = 17; // TempJournalFolder.SmallOptions

    private static (RecordingBackingStore Store, WriteAheadJournal Journal) CreateRecorded()
    {
        var store = new RecordingBackingStore(new InMemoryBackingStore());
        return (store, WriteAheadJournal.Create(store, Directory, TempJournalFolder.SmallOptions, TempJournalFolder.Logger));
    }

    [Fact]
    public void ASteadyStateCommitIsOneDurableOperationOnTheSegment()
    {
        var (store, journal) = CreateRecorded();
        using (store)
        using (journal)
        {
            journal.Commit(journal.Append(new SetSizeRecord(1, "warm", 1, 1)));
            for (int i = 0; i < 20; i++)
            {
                int start = store.Recording.Count;
                journal.Commit(journal.Append(new SetSizeRecord((UInt128)i, "f", i, i)));
                var ops = store.Recording.Operations.Skip(start).ToList();

                var durable = ops.Where(o => o.IsDurabilityPoint).ToList();
                var flush = Assert.Single(durable);
                Assert.Equal(RecordedOperationKind.FlushFile, flush.Kind);
                Assert.Equal(Directory + "/log.0", flush.Path);
                // Only the segment is touched: its data, its trailer, then the one flush, last.
                Assert.All(ops, o => Assert.Equal(Directory + "/log.0", o.Path));
                Assert.Equal(flush.Index, ops[^1].Index);
                Assert.Contains(ops, o => o.Kind == RecordedOperationKind.Write && o.Offset < 1L << SegmentSizeBits);
                Assert.Contains(ops, o => o.Kind == RecordedOperationKind.Write && o.Offset >= 1L << SegmentSizeBits);
            }
        }
    }

    [Fact]
    public void ANewSegmentIsPreallocatedDurableAndRecordedBeforeACommitPointLivesInIt()
    {
        var (store, journal) = CreateRecorded();
        using (store)
        using (journal)
        {
            var payload = new byte[1000];
            int start = store.Recording.Count;
            long last = 0;
            for (int i = 0; i < 150; i++) // ~150 KB: the commit point moves into log.1
                last = journal.Append(new ChunkImageRecord((UInt128)i, "f", i, payload, i, i));
            journal.Commit(last);
            Assert.Equal(1, journal.DurableLsn >> SegmentSizeBits);
            var ops = store.Recording.Operations.Skip(start).ToList();
            string segment = Directory + "/log.1";

            var created = Assert.Single(ops, o => o.Kind == RecordedOperationKind.CreateFile && o.Path == segment);
            var zeroFill = ops.Where(o => o.Kind == RecordedOperationKind.Write && o.Path == segment && o.Index < FirstFlush(ops, segment)).ToList();
            Assert.Equal((1L << SegmentSizeBits) + 8192, zeroFill.Sum(o => o.Length));
            Assert.All(zeroFill, o => Assert.False(o.Data.Span.ContainsAnyExcept((byte)0)));
            int fileDurable = FirstFlush(ops, segment);
            int directoryDurable = ops.First(o => o.Kind == RecordedOperationKind.SyncDirectory && o.Path == Directory).Index;
            int superblockDurable = ops.First(o => o.Kind == RecordedOperationKind.FlushFile && o.Path == Directory + "/superblock").Index;
            int trailer = ops.First(o => o.Kind == RecordedOperationKind.Write && o.Path == segment && o.Offset >= 1L << SegmentSizeBits
                && o.Data.Span.ContainsAnyExcept((byte)0)).Index;
            int log0Durable = ops.Last(o => o.Kind == RecordedOperationKind.FlushFile && o.Path == Directory + "/log.0").Index;
            Assert.True(created.Index < fileDurable && fileDurable < directoryDurable && directoryDurable < superblockDurable,
                "segment creation must be durable (file, directory) before the superblock records it");
            Assert.True(superblockDurable < trailer, "the superblock must record the segment before a commit point is written in it");
            Assert.True(log0Durable < trailer, "the data in the previous segment must be durable before the trailer points past it");
            Assert.Equal(RecordedOperationKind.FlushFile, ops[^1].Kind);
            Assert.Equal(segment, ops[^1].Path);
        }
    }

    private static int FirstFlush(List<RecordedOperation> ops, string path) =>
        ops.First(o => o.Kind == RecordedOperationKind.FlushFile && o.Path == path).Index;

    [Fact]
    public void ACreateInterruptedAfterItsSuperblockWasDurableOpensAtEveryStep()
    {
        // Every in-order prefix of Create's mutations from the superblock's first fsync on: a crash there leaves
        // a journal that opens (empty, or at its first commit point), never one that is refused or loses anything.
        var (store, journal) = CreateRecorded();
        journal.Dispose();
        var operations = store.Recording.Operations;
        int superblockDurable = operations.First(o => o.Kind == RecordedOperationKind.FlushFile && o.Path == Directory + "/superblock").Index;
        Assert.Contains(operations, o => o.Kind == RecordedOperationKind.CreateFile && o.Path == Directory + "/log.0");
        for (int end = superblockDurable + 1; end <= operations.Count; end++)
        {
            using var crashed = new InMemoryBackingStore();
            store.Recording.ApplyTo(crashed, Enumerable.Range(0, end));
            using (var reopened = WriteAheadJournal.Open(crashed, Directory, TempJournalFolder.SmallOptions, TempJournalFolder.Logger))
            {
                Assert.Null(reopened.PendingTornTail);
                Assert.All(reopened.ReadForReplay(), e => Assert.IsType<CheckpointRecord>(e.Record));
                reopened.Commit(reopened.Append(new SetSizeRecord(1, "after crash at " + end, end, 0)));
            }
            using var again = WriteAheadJournal.Open(crashed, Directory, TempJournalFolder.SmallOptions, TempJournalFolder.Logger);
            Assert.Contains(again.ReadForReplay(), e => e.Record is SetSizeRecord { Eof: var eof } && eof == end);
        }
        store.Dispose();
    }
}
