using Layered.Concurrency.Tests.Harness;
using Layered.Fsd;

namespace Layered.Concurrency.Tests.Races;

/// <summary>
/// Race 4 of DESIGN §1: three appends at once (O_APPEND, FILE_WRITE_TO_END_OF_FILE) and a paging write (WinFsp
/// ConstrainedIo) of 16000 bytes at offset 0, which must be clipped to the EOF of its moment and never extend.
/// The file starts with 1600 bytes 'a' (chunks of 4096 bytes, so the appends cross chunk and VDL boundaries).
/// Each append reports where its data went; in a legal outcome that is the EOF of its place in some sequential
/// order. Depends on: the node lock (the append offset is decided and EOF moved in one critical section, with the
/// size record appended there) and the chunk range locks (the writes' I/O in ticket order).
/// </summary>
public static class AppendRace
{
    private const int Initial = 1600;
    private static readonly (int Length, byte Fill)[] Appends = [(4800, (byte)'b'), (4800, (byte)'c'), (800, (byte)'d')];
    private const int PagingLength = 16000;

    public static void Run(StoreKind kind, EngineTestSwitches switches, bool realThreads) =>
        SingleFileRace.Run(kind, switches, realThreads, Initial,
            [.. Appends.Select(a => (Func<RaceVolume, FileHandle, string>)((rv, h) => WriteResult(rv, h, a.Fill, a.Length, WriteMode.Append))),
             (rv, h) => WriteResult(rv, h, (byte)'p', PagingLength, WriteMode.Paging)],
            Legal.Value);

    private static string WriteResult(RaceVolume rv, FileHandle handle, byte fill, int length, WriteMode mode)
    {
        var status = rv.Volume.Write(handle, 0, Enumerable.Repeat(fill, length).ToArray(), mode, out int n, out long at);
        return $"{status}:{n}@{at}";
    }

    public static readonly Lazy<HashSet<string>> Legal = new(() => SingleFileRace.LegalOutcomes(Initial, 4, (thread, file) =>
    {
        if (thread < 3)
        {
            int at = file.Count;
            file.AddRange(Enumerable.Repeat(Appends[thread].Fill, Appends[thread].Length));
            return $"{FsStatus.Success}:{Appends[thread].Length}@{at}";
        }
        int n = Math.Min(PagingLength, file.Count);
        for (int i = 0; i < n; i++)
            file[i] = (byte)'p';
        return $"{FsStatus.Success}:{n}@0";
    }));
}
