using System.Text;
using Layered.WinFsp.Adapter;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>
/// The four races of DESIGN §1 as WinFsp call sequences on several threads, through the adapter over a real
/// engine. Each outcome must be one that some sequential order of the same calls gives, and the view must equal
/// what a fresh mount of the backing folder shows.
/// </summary>
[Trait("Area", "WinFsp")]
public sealed class AdapterRaceTests
{
    private const int Rounds = 12;

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>One thread's calls; a step returns false when the thread cannot go on (e.g. its open failed).</summary>
    private delegate bool Step(WinFspAdapter adapter, ref object? context);

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void Race1_RenameXToYAgainstRenameYToZBothReplacing(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        Step[] RenameThread(string from, string to) =>
        [
            (WinFspAdapter a, ref object? c) => a.Open(from, AdapterVolume.FileOpen, 0x1F01FF, out c, out _, out _) == NtStatus.Success,
            (WinFspAdapter a, ref object? c) => { a.Rename(c!, from, to, true); return true; },
            (WinFspAdapter a, ref object? c) => { a.Cleanup(c!, null, CleanupFlags.None); a.Close(c!); return true; },
        ];

        void Setup(string dir)
        {
            v.CloseHandle(v.CreateDirectory(dir));
            v.WriteFile(dir + @"\X", Text("x"));
            v.WriteFile(dir + @"\Y", Text("y"));
        }

        var legal = new HashSet<string>();
        int n = 0;
        foreach (var order in Interleavings(3, 3))
        {
            string dir = $@"\seq{n++}";
            Setup(dir);
            RunSequentially(v.Adapter, order, RenameThread(dir + @"\X", dir + @"\Y"), RenameThread(dir + @"\Y", dir + @"\Z"));
            legal.Add(Describe(v, dir));
        }
        Assert.Contains("Z=x", legal);
        Assert.Contains("Y=x Z=y", legal);

        for (int round = 0; round < Rounds; round++)
        {
            string dir = $@"\race{round}";
            Setup(dir);
            RunConcurrently(v.Adapter, RenameThread(dir + @"\X", dir + @"\Y"), RenameThread(dir + @"\Y", dir + @"\Z"));
            Assert.Contains(Describe(v, dir), legal);
        }
        AssertFreshMountAgrees(v);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void Race2_SettingAndClearingTheDispositionFromSeveralThreads(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        for (int round = 0; round < Rounds; round++)
        {
            string file = $@"\d{round}";
            v.WriteFile(file, Text("content"));
            var handles = Enumerable.Range(0, 4).Select(_ => v.Open(file)).ToArray();
            var threads = handles.Select((h, t) => new Step[]
            {
                (WinFspAdapter a, ref object? c) =>
                {
                    for (int i = 0; i < 20; i++)
                        Assert.Equal(NtStatus.Success, a.SetDelete(h, file, (i + t) % 2 == 0));
                    return true;
                },
            }).ToArray();
            RunConcurrently(v.Adapter, threads);

            // Whatever order the engine put them in, the open that comes next and the last cleanup agree with it.
            int probe = v.TryOpen(file, 0, out var probeContext, out _);
            bool pending = probe == NtStatus.DeletePending;
            if (!pending)
            {
                Assert.Equal(NtStatus.Success, probe);
                v.CloseHandle(probeContext!);
            }
            for (int i = 0; i < handles.Length; i++)
                v.CloseHandle(handles[i], pending && i == handles.Length - 1 ? file : null);
            Assert.Equal(!pending, v.Exists(file));
        }
        AssertFreshMountAgrees(v);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void Race3_TruncateAgainstAWrite(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var truncatedThenWritten = new byte[4096].Concat(Enumerable.Repeat((byte)'b', 4096)).ToArray();
        for (int round = 0; round < Rounds; round++)
        {
            string file = $@"\t{round}";
            v.WriteFile(file, Enumerable.Repeat((byte)'a', 8192).ToArray());
            var truncating = v.Open(file);
            var writing = v.Open(file);
            var data = Enumerable.Repeat((byte)'b', 4096).ToArray();
            RunConcurrently(v.Adapter,
                [(WinFspAdapter a, ref object? c) => a.SetFileSize(truncating, 0, false, out _) == NtStatus.Success],
                [(WinFspAdapter a, ref object? c) => a.Write(writing, data, 4096, false, false, out _, out _) == NtStatus.Success]);
            var seen = v.ReadAll(writing);
            Assert.True(seen.Length == 0 || seen.AsSpan().SequenceEqual(truncatedThenWritten),
                $"round {round}: {seen.Length} bytes that no sequential order gives");
            Assert.Equal(NtStatus.Success, v.Adapter.GetFileInfo(truncating, out var info));
            Assert.Equal((ulong)seen.Length, info.FileSize);
            v.CloseHandle(truncating);
            v.CloseHandle(writing);
        }
        AssertFreshMountAgrees(v);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void Race4_SeveralThreadsWritingToEndOfFile(StoreKind kind)
    {
        const int threads = 4, appends = 25, record = 100;
        using var v = new AdapterVolume(kind);
        v.CloseHandle(v.CreateFile(@"\log"));
        var handles = Enumerable.Range(0, threads).Select(_ => v.Open(@"\log")).ToArray();
        var steps = Enumerable.Range(0, threads).Select(t => new Step[]
        {
            (WinFspAdapter a, ref object? c) =>
            {
                for (int i = 0; i < appends; i++)
                {
                    var bytes = Encoding.ASCII.GetBytes($"T{t}-{i:D3};".PadRight(record, (char)('a' + t)));
                    Assert.Equal(NtStatus.Success, a.Write(handles[t], bytes, ulong.MaxValue, true, false, out uint n, out var info));
                    Assert.Equal((uint)record, n);
                    Assert.Equal(0ul, info.FileSize % record);
                }
                return true;
            },
        }).ToArray();
        RunConcurrently(v.Adapter, steps);
        foreach (var h in handles)
            v.CloseHandle(h);

        var content = v.ReadFile(@"\log");
        Assert.Equal(threads * appends * record, content.Length);
        var next = new int[threads];
        for (int offset = 0; offset < content.Length; offset += record)
        {
            string text = Encoding.ASCII.GetString(content, offset, record);
            int t = text[1] - '0';
            Assert.Equal($"T{t}-{next[t]:D3};".PadRight(record, (char)('a' + t)), text); // intact, in program order
            next[t]++;
        }
        Assert.All(next, count => Assert.Equal(appends, count));
        AssertFreshMountAgrees(v);
    }

    // ---- machinery ----

    /// <summary>Every interleaving of two threads of <paramref name="a"/> and <paramref name="b"/> steps (true = thread A).</summary>
    private static IEnumerable<bool[]> Interleavings(int a, int b)
    {
        if (a == 0 && b == 0)
        {
            yield return [];
            yield break;
        }
        if (a > 0)
            foreach (var rest in Interleavings(a - 1, b))
                yield return [true, .. rest];
        if (b > 0)
            foreach (var rest in Interleavings(a, b - 1))
                yield return [false, .. rest];
    }

    private static void RunSequentially(WinFspAdapter adapter, bool[] order, Step[] a, Step[] b)
    {
        object? contextA = null, contextB = null;
        int nextA = 0, nextB = 0;
        bool liveA = true, liveB = true;
        foreach (bool takeA in order)
        {
            if (takeA && liveA)
                liveA = a[nextA++](adapter, ref contextA);
            else if (!takeA && liveB)
                liveB = b[nextB++](adapter, ref contextB);
        }
    }

    private static void RunConcurrently(WinFspAdapter adapter, params Step[][] threads)
    {
        using var start = new Barrier(threads.Length);
        var errors = new List<Exception>();
        var workers = threads.Select(steps => new Thread(() =>
        {
            try
            {
                object? context = null;
                start.SignalAndWait();
                foreach (var step in steps)
                    if (!step(adapter, ref context))
                        break;
            }
            catch (Exception e)
            {
                lock (errors) errors.Add(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        if (errors.Count > 0)
            throw new AggregateException(errors);
    }

    /// <summary>The names and contents in a directory, in ordinal order ("Y=x Z=y").</summary>
    private static string Describe(AdapterVolume v, string dir) =>
        string.Join(' ', v.List(dir, 64 * 1024, out _).Where(n => n is not ("." or ".."))
            .Select(n => n + "=" + Encoding.UTF8.GetString(v.ReadFile(dir + "\\" + n))));

    /// <summary>Everything visible, then the same after a fresh mount of the backing folder.</summary>
    private static void AssertFreshMountAgrees(AdapterVolume v)
    {
        string before = Snapshot(v, @"\");
        v.Remount();
        Assert.Equal(before, Snapshot(v, @"\"));
    }

    private static string Snapshot(AdapterVolume v, string dir)
    {
        var builder = new StringBuilder();
        foreach (var name in v.List(dir, 64 * 1024, out _).Where(n => n is not ("." or "..")))
        {
            string path = dir.TrimEnd('\\') + "\\" + name;
            Assert.Equal(NtStatus.Success, v.Adapter.GetSecurityByName(path, false, out uint attributes, out _));
            if ((attributes & FileAttributeBits.Directory) != 0)
                builder.Append(path).Append("/\n").Append(Snapshot(v, path));
            else
                builder.Append(path).Append('=').Append(Convert.ToHexString(v.ReadFile(path))).Append('\n');
        }
        return builder.ToString();
    }
}
