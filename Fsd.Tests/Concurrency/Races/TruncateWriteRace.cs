using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// Race 3 of DESIGN §1: a truncate races two writes, across chunk and VDL boundaries (chunks of 4096 bytes). The
/// file holds 9600 bytes ('a'; chunks 0-2, VDL 9600). Thread 0 truncates to 4800 (cuts inside chunk 1); thread 1
/// writes 4800 bytes 'b' at 8000 (overwrites the end of chunk 1 and extends past EOF and VDL into chunk 3);
/// thread 2 overwrites 3200 bytes 'c' at 3200 (across the boundary of chunks 0 and 1). Depends on: the node lock
/// (size decisions and their journal records) and the chunk range locks (truncate waits for the writes whose
/// chunks it changes, and they for it).
/// </summary>
public static class TruncateWriteRace
{
    private const int Initial = 9600;

    private static readonly (long Offset, int Length, byte Fill)[] Writes = [(8000, 4800, (byte)'b'), (3200, 3200, (byte)'c')];
    private const long TruncateTo = 4800;

    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads) =>
        SingleFileRace.Run(kind, switches, realThreads, Initial,
            [(rv, h) => rv.Volume.SetFileSize(h, TruncateTo).ToString(),
             .. Writes.Select(w => (Func<RaceVolume, FileHandle, string>)((rv, h) => rv.WriteFill(h, w.Offset, w.Length, w.Fill)))],
            Legal.Value);

    public static readonly Lazy<HashSet<string>> Legal = new(() => SingleFileRace.LegalOutcomes(Initial, 3, (thread, file) =>
    {
        if (thread == 0)
        {
            SequentialFile.Resize(file, TruncateTo);
            return FsStatus.Success.ToString();
        }
        var w = Writes[thread - 1];
        SequentialFile.Write(file, w.Offset, w.Length, w.Fill);
        return $"{FsStatus.Success}:{w.Length}@{w.Offset}";
    }));
}
