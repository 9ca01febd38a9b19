using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

/// <summary>
/// The in-memory store must be a semantic twin of the real folder: the same seeded random operation
/// sequences run on both must give the same outcome for every call (success, or the same error naming the
/// same path) and the same tree at the end.
/// </summary>
[Trait("Area", "Engine")]
public sealed class DifferentialStoreTests
{
    private static readonly string[] Paths =
        ["a", "b", "c", "a/a", "a/b", "b/a", "b/c", "a/a/b", "c/a"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Random_operation_sequences_agree_with_the_real_folder(int seed)
    {
        using var folder = new TempFolder();
        using var real = new DirectoryBackingStore(folder.Path);
        using (real.OpenFile("probe", BackingOpenMode.CreateNew)) { }
        var probe = real.TryGetEntry("probe")!;
        real.DeleteFile("probe");
        using var memory = new InMemoryBackingStore(new InMemoryStoreOptions { Uid = probe.Uid, Gid = probe.Gid });

        var random = new Random(seed);
        var realOpen = new List<IBackingFile>();
        var memoryOpen = new List<IBackingFile>();
        try
        {
            for (var step = 0; step < 300; step++)
            {
                var choice = random.Next(14);
                var p = Paths[random.Next(Paths.Length)];
                var q = Paths[random.Next(Paths.Length)];
                var flag = random.Next(2) == 0;
                var offset = random.Next(0, 20);
                var data = new byte[random.Next(1, 10)];
                random.NextBytes(data);
                var handleIndex = realOpen.Count == 0 ? -1 : random.Next(realOpen.Count);

                void Apply(IBackingStore store, List<IBackingFile> open)
                {
                    switch (choice)
                    {
                        case 0:
                            using (var f = store.OpenFile(p, BackingOpenMode.CreateNew)) { f.Write(offset, data); }
                            break;
                        case 1: store.CreateDirectory(p); break;
                        case 2: store.DeleteFile(p); break;
                        case 3: store.DeleteDirectory(p); break;
                        case 4: store.Rename(p, q, flag); break;
                        case 5: store.CreateHardLink(p, q); break;
                        case 6:
                            using (var f = store.OpenFile(p, BackingOpenMode.OpenReadWrite)) { f.Write(offset, data); }
                            break;
                        case 7:
                            using (var f = store.OpenFile(p, BackingOpenMode.OpenReadWrite)) { f.SetLength(offset); }
                            break;
                        case 8: store.SetMode(p, (UnixMode)(0x100 | random.Next(0x200) & 0x1ED)); break;
                        case 9:
                            if (flag) { store.SetXattr(p, "k" + offset % 3, data); } else { store.RemoveXattr(p, "k" + offset % 3); }
                            break;
                        case 10: open.Add(store.OpenFile(p, flag ? BackingOpenMode.OpenRead : BackingOpenMode.OpenReadWrite)); break;
                        case 11:
                            if (handleIndex >= 0) { open[handleIndex].Write(offset, data); }
                            break;
                        case 12:
                            if (handleIndex >= 0) { open[handleIndex].Dispose(); open.RemoveAt(handleIndex); }
                            break;
                        case 13: store.ListDirectory(p); store.SyncDirectory(p); break;
                    }
                }

                // Draw the mode before applying, so both stores get the same one.
                var modeDraw = random.Next();
                random = new Random(modeDraw);
                var realOutcome = Outcome(() => Apply(real, realOpen));
                random = new Random(modeDraw);
                var memoryOutcome = Outcome(() => Apply(memory, memoryOpen));
                random = new Random(modeDraw + 1);
                Assert.True(realOutcome == memoryOutcome,
                    $"seed {seed} step {step}: op {choice} p={p} q={q} flag={flag}: real {realOutcome}, memory {memoryOutcome}");
            }
            Assert.Equal(BackingTree.Capture(real).ToString(), BackingTree.Capture(memory).ToString());
        }
        finally
        {
            realOpen.ForEach(f => f.Dispose());
            memoryOpen.ForEach(f => f.Dispose());
        }
    }

    private static string Outcome(Action action)
    {
        try
        {
            action();
            return "ok";
        }
        catch (BackingStoreException e)
        {
            return $"{e.Error} '{e.StorePath}'";
        }
    }
}
