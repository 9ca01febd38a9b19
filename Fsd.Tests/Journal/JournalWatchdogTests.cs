using System.Diagnostics;

namespace Layered.Journal.Tests;

[Trait("Area", "Journal")]
public sealed class JournalWatchdogTests : IDisposable
{
    private readonly TempJournalFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ACommitThatCannotFinishFailsWithAStallErrorInsteadOfHanging()
    {
        var hooks = new JournalFaultHooks();
        var options = TempJournalFolder.SmallOptionsWithHooks(hooks, TimeSpan.FromMilliseconds(500));
        // Created with the default watchdog (a cold start can take longer than the tight one below), then
        // opened with it.
        _folder.Create().Dispose();
        var journal = _folder.Open(options);
        try
        {
            hooks.HoldDeviceWrites(); // the log device never completes a write from now on
            long lsn = journal.Append(new SetSizeRecord(1, "f", 1, 1));
            var clock = Stopwatch.StartNew();

            var stall = await Assert.ThrowsAsync<JournalStallException>(async () => await journal.CommitAsync(lsn));

            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));
            Assert.True(stall.Lsn > lsn);
            Assert.True(journal.Driver.WatchdogNudges > 10, $"the watchdog nudged only {journal.Driver.WatchdogNudges} times");
            Assert.True(journal.DurableLsn <= lsn);
            // The journal stays failed: later commits and appends fail at once instead of waiting again.
            Assert.Throws<JournalStallException>(() => journal.Commit(lsn));
            Assert.Throws<JournalStallException>(() => journal.Append(new SetSizeRecord(1, "f", 2, 2)));
        }
        finally
        {
            hooks.ReleaseDeviceWrites();
            journal.Dispose();
        }
    }
}
