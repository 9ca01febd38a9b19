using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Layered.Journal.Tests;

/// <summary>
/// A child process (CrashChild) appends and commits while this test kills it with SIGKILL at random moments,
/// over and over on the same journal. After each kill the journal is opened here and replayed: every record
/// whose commit was acknowledged must be there, in order, with nothing missing in between, and nothing that was
/// never handed to a commit. About 40 s by default; LAYERED_SOAK=1 runs 300 iterations.
/// </summary>
[Trait("Area", "Journal")]
public sealed class JournalCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Writers = 4;
    private const int MaxBatch = 8; // CrashChild appends batches of 1..8 before each commit
    private readonly TempJournalFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static bool Soak => Environment.GetEnvironmentVariable("LAYERED_SOAK") == "1";

    [Fact]
    public void AcknowledgedCommitsSurviveSigkillAndNothingElseAppears()
    {
        int maxIterations = Soak ? 300 : 100;
        var budget = Soak ? TimeSpan.FromHours(2) : TimeSpan.FromSeconds(40);
        _folder.Create().Dispose();
        var previousMax = new long[Writers];
        Array.Fill(previousMax, -1);
        var random = new Random(Environment.TickCount);
        var clock = Stopwatch.StartNew();
        int iterations = 0;
        long acknowledged = 0;
        int killsWithSpares = 0;

        while (iterations < maxIterations && clock.Elapsed < budget)
        {
            // Alternate one writer without checkpoints (exact bound: nothing past the last commit request) and
            // four writers with checkpoints running (kills also land inside checkpoints and truncation).
            bool single = iterations % 2 == 0;
            var (lastAck, lastRequest, acks) = RunAndKill(single ? 1 : Writers, checkpoints: !single, random);
            acknowledged += acks;
            // Spares a killed child left (Verify's clean close deletes them): the kills hit a recycling journal.
            killsWithSpares += Directory.GetFiles(_folder.JournalPath, "spare.*").Length > 0 ? 1 : 0;
            Verify(previousMax, lastAck, lastRequest, single, iterations);
            iterations++;
        }

        output.WriteLine($"{iterations} SIGKILL iterations ({killsWithSpares} left spare segments), {acknowledged} acknowledged commits, {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(killsWithSpares > 0, "no kill ever left a spare segment: the journal's segment recycling was not exercised");
        Assert.True(iterations >= 10, $"only {iterations} iterations ran in {clock.Elapsed}");
        Assert.True(acknowledged > iterations, $"only {acknowledged} commits were acknowledged in {iterations} iterations");
    }

    private (long[] LastAck, long[] LastRequest, long Acks) RunAndKill(int writers, bool checkpoints, Random random)
    {
        string child = Path.Combine(AppContext.BaseDirectory, "Layered.Journal.CrashChild.dll");
        Assert.True(File.Exists(child), $"crash child not built: {child}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { child, _folder.Root, writers.ToString(), checkpoints ? "1" : "0" })
            start.ArgumentList.Add(arg);

        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        using var ready = new ManualResetEventSlim();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            if (e.Data == "READY") ready.Set();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) errors.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!ready.Wait(50) && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(30)) { }
            if (!ready.IsSet)
                Assert.Fail($"crash child did not get ready (exited: {process.HasExited}): {string.Join("\n", errors)} {string.Join("\n", lines)}");
            Thread.Sleep(random.Next(5, 300));
            Assert.False(process.HasExited, $"crash child exited early: {string.Join("\n", errors)}");
        }
        finally
        {
            process.Kill(); // SIGKILL on Linux
            process.WaitForExit();
        }

        var lastAck = new long[Writers];
        var lastRequest = new long[Writers];
        Array.Fill(lastAck, -1);
        Array.Fill(lastRequest, -1);
        long acks = 0;
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            if (parts.Length != 3) continue;
            int writer = int.Parse(parts[1]);
            long counter = long.Parse(parts[2]);
            if (parts[0] == "ACK") { lastAck[writer] = Math.Max(lastAck[writer], counter); acks++; }
            else if (parts[0] == "REQ") lastRequest[writer] = Math.Max(lastRequest[writer], counter);
        }
        return (lastAck, lastRequest, acks);
    }

    private void Verify(long[] previousMax, long[] lastAck, long[] lastRequest, bool single, int iteration)
    {
        using var journal = _folder.Open();
        var replay = journal.ReadForReplay();
        var counters = new List<long>[Writers];
        for (int w = 0; w < Writers; w++) counters[w] = [];
        long previousLsn = -1;
        foreach (var entry in replay)
        {
            Assert.True(entry.Lsn > previousLsn);
            previousLsn = entry.Lsn;
            if (entry.Record is SetSizeRecord r)
                counters[(int)r.FileId].Add(r.Eof);
        }
        Assert.Null(replay.TornTail); // SIGKILL cannot tear a write
        Assert.Null(journal.PendingTornTail);

        for (int w = 0; w < Writers; w++)
        {
            var list = counters[w];
            for (int i = 1; i < list.Count; i++)
                Assert.True(list[i] == list[i - 1] + 1, $"iteration {iteration}, writer {w}: {list[i]} follows {list[i - 1]}");
            long max = list.Count > 0 ? list[^1] : -1;
            string where = $"iteration {iteration}, writer {w}: replayed up to {max}, acknowledged {lastAck[w]}, requested {lastRequest[w]}, before {previousMax[w]}";
            Assert.True(max >= lastAck[w], "an acknowledged record is missing; " + where);
            Assert.True(max >= previousMax[w], "a record replayed after an earlier crash is gone; " + where);
            long requested = Math.Max(lastRequest[w], previousMax[w]);
            // One writer: only a commit it requested can have made its records durable. Several writers: another
            // writer's commit may also cover the batch this writer appended but had not yet requested.
            long bound = single ? requested : requested + MaxBatch;
            Assert.True(max <= bound, "a record that was never handed to a commit was replayed; " + where);
            previousMax[w] = max;
        }
    }
}
