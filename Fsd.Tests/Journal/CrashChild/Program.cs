// Crash child for the journal crash test. Opens the journal in <root>/.layered/journal, continues each writer's
// counter from what replay shows, then runs <writers> writers that append batches of SetSizeRecord(FileId =
// writer, Eof = counter) and commit them, printing "REQ w c" before each commit and "ACK w c" after it returns,
// until it is killed. With checkpoints on, a checkpoint runs every few milliseconds, at an LSN every writer has
// reached, so each writer's latest counter always survives in the replayed part of the log.
using Layered.Backing;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Layered.Journal.CrashChild <vault folder> <writers> <checkpoint: 0|1>");
    return 2;
}
string root = args[0];
int writers = int.Parse(args[1]);
bool checkpoints = args[2] == "1";

var options = new JournalOptions
{
    PageSizeBits = 16,
    SegmentSizeBits = 17,
    MemorySizeBits = 20,
    AutoCommitInterval = TimeSpan.Zero, // only explicit commits, so "REQ" bounds what can be durable
};
using var store = new DirectoryBackingStore(root);
using var journal = WriteAheadJournal.Open(store, ".layered/journal", options, NullLogger.Instance);

// Indexed by writer id; earlier runs of this child may have used more writers than this one.
var next = new long[64];
var replay = journal.ReadForReplay();
foreach (var entry in replay)
{
    if (entry.Record is SetSizeRecord r)
        next[(int)r.FileId] = r.Eof + 1;
}
if (replay.TornTail is not null)
{
    Console.WriteLine($"TORN {replay.TornTail}");
    journal.Checkpoint(journal.TailLsn);
}

var output = Console.Out;
var outputLock = new object();
void Say(string line)
{
    lock (outputLock)
    {
        output.WriteLine(line);
        output.Flush();
    }
}

// About 1 KB per record, so the log crosses its 128 KiB segments every ~130 records and the checkpoints below
// free (and the journal recycles as spares) segments all the time: kills land inside segment turnover too.
string Padding = new('w', 1000);

var lastLsn = new long[writers];
Array.Fill(lastLsn, -1);
Say("READY");

var tasks = new List<Task>();
for (int w = 0; w < writers; w++)
{
    int writer = w;
    tasks.Add(Task.Run(async () =>
    {
        var random = new Random(Environment.ProcessId * 31 + writer);
        while (true)
        {
            int batch = random.Next(1, 9);
            long lsn = -1;
            for (int i = 0; i < batch; i++)
                lsn = journal.Append(new SetSizeRecord((UInt128)writer, Padding, next[writer]++, 0));
            Volatile.Write(ref lastLsn[writer], lsn);
            Say($"REQ {writer} {next[writer] - 1}");
            await journal.CommitAsync(lsn);
            Say($"ACK {writer} {next[writer] - 1}");
        }
    }));
}
if (checkpoints)
{
    tasks.Add(Task.Run(async () =>
    {
        while (true)
        {
            await Task.Delay(5);
            long upTo = long.MaxValue;
            for (int w = 0; w < writers; w++)
                upTo = Math.Min(upTo, Volatile.Read(ref lastLsn[w]));
            if (upTo > journal.CheckpointLsn)
                journal.Checkpoint(upTo);
        }
    }));
}
await Task.WhenAll(tasks);
return 0;
