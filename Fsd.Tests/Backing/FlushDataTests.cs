using System.Text;
using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

/// <summary>FlushData (fdatasync) makes written data and the size durable, on every store.</summary>
[Trait("Area", "Engine")]
public class FlushDataTests
{
    [Fact]
    public void FlushDataMakesDataDurableInTheMemoryModel()
    {
        var store = new InMemoryBackingStore();
        using (var f = store.OpenFile("f", BackingOpenMode.CreateNew))
        {
            f.Write(0, "durable"u8);
            f.FlushData();
        }
        store.SyncDirectory("");
        var crashed = store.CloneDurableState();
        using var g = crashed.OpenFile("f", BackingOpenMode.OpenRead);
        var buffer = new byte[16];
        int n = g.Read(0, buffer);
        Assert.Equal("durable", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void FlushDataSucceedsOnARealFileAndIsRecordedAsADurabilityPoint()
    {
        var root = Directory.CreateTempSubdirectory("layered-fdatasync-").FullName;
        try
        {
            using var recording = new RecordingBackingStore(new DirectoryBackingStore(root));
            using (var f = recording.OpenFile("f", BackingOpenMode.CreateNew))
            {
                f.Write(0, new byte[5000]);
                f.FlushData();
                Assert.Equal(5000, f.Length);
            }
            Assert.Contains(recording.Recording.Operations, op => op.IsDurabilityPoint && op.Path == "f");
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
