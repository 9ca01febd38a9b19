using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// Writes kept ahead of the valid data length (docs/architecture.md, "Writes kept ahead of VDL") racing the write
/// that fills the gap below them and a truncate. The file holds 1000 bytes 'a' (chunks of 4096 bytes, VDL 1000).
/// Thread 0 writes 4096 bytes 'b' at 8192 and thread 1 4096 bytes 'c' at 4096: both start on a chunk boundary
/// beyond the VDL, so the engine stores them and keeps them invisible to the journal until the gap is filled.
/// Thread 2 writes 3096 bytes 'd' at 1000 (not on a boundary: it settles kept writes first, filling the gaps with
/// zeros, or extends the file itself); thread 3 truncates to 6000 (inside chunk 1, settling kept writes first). Every
/// order of the four must be a legal sequential outcome, and the journal and a fresh mount must agree with it.
/// Depends on: the node lock (each size decision, and whether a write is kept, in one critical section) and the
/// chunk range locks (a settle's zeros, the re-encrypted partial chunk at the old VDL, in ticket order with the
/// writes to the same chunks).
/// </summary>
public static class KeptAheadRace
{
    private const int Initial = 1000;
    private static readonly (long Offset, int Length, byte Fill)[] Writes = [(8192, 4096, (byte)'b'), (4096, 4096, (byte)'c'), (1000, 3096, (byte)'d')];
    private const long TruncateTo = 6000;

    private static long s_keptWrites;

    /// <summary>Writes the engine kept ahead in all runs so far: the race proves nothing about them unless some
    /// schedules keep one (a write that arrives after the gap is filled is an ordinary extension).</summary>
    public static long KeptWrites => Interlocked.Read(ref s_keptWrites);

    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads)
    {
        switches.KeptAheadObserver = (_, _, _, _) => Interlocked.Increment(ref s_keptWrites);
        SingleFileRace.Run(kind, switches, realThreads, Initial,
            [.. Writes.Select(w => (Func<RaceVolume, FileHandle, string>)((rv, h) => rv.WriteFill(h, w.Offset, w.Length, w.Fill))),
             (rv, h) => rv.Volume.SetFileSize(h, TruncateTo).ToString()],
            Legal.Value);
    }

    public static readonly Lazy<HashSet<string>> Legal = new(() => SingleFileRace.LegalOutcomes(Initial, 4, (thread, file) =>
    {
        if (thread == 3)
        {
            SequentialFile.Resize(file, TruncateTo);
            return FsStatus.Success.ToString();
        }
        var w = Writes[thread];
        SequentialFile.Write(file, w.Offset, w.Length, w.Fill);
        return $"{FsStatus.Success}:{w.Length}@{w.Offset}";
    }));
}
