using System.Collections.Concurrent;

namespace Layered.Journal.Tests;

[Trait("Area", "Journal")]
public sealed class JournalConcurrencyTests : IDisposable
{
    private readonly TempJournalFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The commit point as it is on disk right now: the largest until address among the valid trailer slots
    /// of the segment files (read straight from the files, not from the journal's memory).</summary>
    private long UntilOnDisk()
    {
        long until = 0;
        foreach (var path in Directory.GetFiles(_folder.JournalPath, "log.*"))
        {
            int segment = int.Parse(Path.GetFileName(path)["log.".Length..]);
            var raw = File.ReadAllBytes(path);
            long trailer = 1L << TempJournalFolder.SmallOptions.SegmentSizeBits;
            for (int slot = 0; slot < 2; slot++)
            {
                var bytes = raw.AsSpan((int)trailer + slot * 4096, 4096);
                // Any valid slot of this journal counts (the journal id is not known here, so it is read from the slot).
                ulong id = BitConverter.ToUInt64(bytes[8..]);
                if (Storage.CommitSlot.TryDecode(bytes, id, segment) is { } decoded)
                    until = Math.Max(until, decoded.UntilAddress);
            }
        }
        return until;
    }

    [Fact]
    public async Task ManyWritersGetUniqueTotallyOrderedLsnsAndEachIsAcknowledgedOnlyWhenDurable()
    {
        const int writers = 16, perWriter = 40;
        using var journal = _folder.Create();
        var appended = new ConcurrentBag<(int Writer, int Index, long Lsn)>();
        long commitCalls = 0;
        long commitsBefore = journal.Driver.PhysicalCommits;

        var tasks = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            for (int i = 0; i < perWriter; i++)
            {
                long lsn = journal.Append(new SetSizeRecord((UInt128)writer, "w" + writer, i, 0));
                appended.Add((writer, i, lsn));
                await journal.CommitAsync(lsn);
                Interlocked.Increment(ref commitCalls);
                // Acknowledged: the record must already be covered by the commit point on disk.
                Assert.True(journal.DurableLsn > lsn, $"acknowledged LSN {lsn} but durable only below {journal.DurableLsn}");
                long onDisk = UntilOnDisk();
                Assert.True(onDisk > lsn, $"acknowledged LSN {lsn} but the commit file says {onDisk}");
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        var all = appended.ToList();
        Assert.Equal(writers * perWriter, all.Select(a => a.Lsn).Distinct().Count());
        // Each writer's own records are in its program order in the total order.
        foreach (var group in all.GroupBy(a => a.Writer))
        {
            var byIndex = group.OrderBy(a => a.Index).Select(a => a.Lsn).ToList();
            Assert.Equal(byIndex.OrderBy(l => l), byIndex);
        }
        // Group commit: concurrent callers shared physical commits.
        long physical = journal.Driver.PhysicalCommits - commitsBefore;
        Assert.True(physical < commitCalls, $"{physical} physical commits for {commitCalls} commit calls: nothing was shared");

        // Replay shows the same total order, with dense sequence numbers.
        var replayed = journal.ReadForReplay().Where(e => e.Record is SetSizeRecord).ToList();
        Assert.Equal(all.Select(a => a.Lsn).OrderBy(l => l), replayed.Select(e => e.Lsn));
        Assert.Equal(replayed.Select(e => e.Sequence).OrderBy(s => s), replayed.Select(e => e.Sequence));
        Assert.Equal(replayed.Count - 1, replayed[^1].Sequence - replayed[0].Sequence);
    }

    [Fact]
    public void BlockingCommitFromManyThreadsAlsoCompletes()
    {
        // Dedicated threads, as the FUSE and WinFsp hosts call in (see Commit's remarks on pool threads).
        using var journal = _folder.Create();
        var errors = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 8; i++)
                {
                    long lsn = journal.Append(new SetSizeRecord((UInt128)t, "p", i, i));
                    journal.Commit(lsn);
                    if (journal.DurableLsn <= lsn)
                        throw new InvalidOperationException($"Commit({lsn}) returned with DurableLsn {journal.DurableLsn}");
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(errors);
        Assert.Equal(65, journal.ReadForReplay().Count());
    }

    [Fact]
    public async Task CommitOfAnAlreadyDurableLsnReturnsAtOnce()
    {
        using var journal = _folder.Create();
        long lsn = journal.Append(new SetSizeRecord(1, "p", 1, 1));
        await journal.CommitAsync(lsn);
        long commits = journal.Driver.PhysicalCommits;

        var pending = journal.CommitAsync(lsn);

        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(commits, journal.Driver.PhysicalCommits);
    }
}
