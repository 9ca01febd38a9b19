using Layered.Fsd;
using Layered.Journal;

namespace Layered.Fsd.Tests;

[Trait("Area", "Engine")]
public class AttributeTests
{
    /// <summary>A test volume whose attribute and time records are collected in <paramref name="records"/> as they are
    /// journaled.</summary>
    private static TestVolume VolumeRecording(StoreKind kind, List<SetAttributesRecord> records)
    {
        var switches = new EngineTestSwitches
        {
            AppendObserver = (_, record) =>
            {
                if (record is SetAttributesRecord r)
                    lock (records) records.Add(r);
            },
        };
        return new TestVolume(kind, o => new VolumeOptions
        {
            Store = o.Store, Vault = o.Vault, CheckpointInterval = o.CheckpointInterval, TestSwitches = switches,
        });
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AWriteTimeSetToTheValueItHasIsNoChangeAndAnyOtherIsJournaledAndStored(StoreKind kind)
    {
        var timeRecords = new List<SetAttributesRecord>();
        using var tv = VolumeRecording(kind, timeRecords);
        var h = tv.Open("f");
        tv.Write(h, 0, "data"u8);
        tv.Volume.Release(h);
        Assert.Equal(FsStatus.Success, tv.Volume.GetInfo("f", out var before));

        // What FUSE writeback caching sends after a rename: the write time the file already shows.
        Assert.Equal(FsStatus.Success, tv.Volume.SetTimes("f", null, before.LastWriteUtc));
        Assert.Empty(timeRecords);

        var other = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        Assert.Equal(FsStatus.Success, tv.Volume.SetTimes("f", null, other));
        Assert.Single(timeRecords);
        // An access time is a change even with the write time unchanged.
        Assert.Equal(FsStatus.Success, tv.Volume.SetTimes("f", other, other));
        Assert.Equal(2, timeRecords.Count);
        // Both times set to what they already are: nothing.
        Assert.Equal(FsStatus.Success, tv.Volume.SetTimes("f", other, other));
        Assert.Equal(2, timeRecords.Count);
        tv.Remount();
        Assert.Equal(FsStatus.Success, tv.Volume.GetInfo("f", out var after));
        Assert.Equal(other, after.LastWriteUtc);
        Assert.Equal(other, after.LastAccessUtc);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void TheHandleFormSkipsUnchangedTimesToo(StoreKind kind)
    {
        var timeRecords = new List<SetAttributesRecord>();
        using var tv = VolumeRecording(kind, timeRecords);
        var h = tv.Open("f");
        tv.Write(h, 0, "data"u8);
        Assert.Equal(FsStatus.Success, tv.Volume.GetInfo("f", out var before));

        // What a Windows copy does: set the times it has just read.
        Assert.Equal(FsStatus.Success, tv.Volume.SetBasicInfo(h,
            new BasicInfoChange(LastAccessUtc: before.LastAccessUtc, LastWriteUtc: before.LastWriteUtc), out var same));
        Assert.Empty(timeRecords);
        Assert.Equal(before.LastWriteUtc, same.LastWriteUtc);

        var other = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        Assert.Equal(FsStatus.Success, tv.Volume.SetBasicInfo(h, new BasicInfoChange(LastAccessUtc: before.LastAccessUtc, LastWriteUtc: other), out var changed));
        var record = Assert.Single(timeRecords);
        // Only the time that changed is in the record.
        Assert.Equal(AttributeFields.LastWriteTime, record.Fields);
        Assert.Equal(other, changed.LastWriteUtc);
        tv.Volume.Release(h);
        tv.Remount();
        Assert.Equal(FsStatus.Success, tv.Volume.GetInfo("f", out var after));
        Assert.Equal(other, after.LastWriteUtc);
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void AWriteTimeSetOnAFileNotYetCheckpointedIsJournaledShownAndStoredByTheCheckpoint(StoreKind kind)
    {
        var timeRecords = new List<SetAttributesRecord>();
        using var tv = VolumeRecording(kind, timeRecords);
        var h = tv.Open("f");
        tv.Write(h, 0, "data"u8);
        // What FUSE writeback caching sends at close: the kernel's write time, through the handle.
        var kernels = new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        Assert.Equal(FsStatus.Success, tv.Volume.SetBasicInfo(h, new BasicInfoChange(LastWriteUtc: kernels), out var changed));
        Assert.Equal(kernels, changed.LastWriteUtc);
        Assert.Equal(AttributeFields.LastWriteTime, Assert.Single(timeRecords).Fields);
        tv.Volume.Release(h);
        Assert.Equal(FsStatus.Success, tv.Volume.GetInfo("f", out var shown));
        Assert.Equal(kernels, shown.LastWriteUtc);

        tv.Volume.Checkpoint();
        Assert.Equal(kernels, tv.Store.TryGetEntry("f")!.LastWriteUtc);
        tv.Remount();
        Assert.Equal(FsStatus.Success, tv.Volume.GetInfo("f", out var after));
        Assert.Equal(kernels, after.LastWriteUtc);
    }

    [Fact]
    public void AWriteTimeSetWhileACheckpointWritesTheHeaderIsStoredByTheNextOne()
    {
        var store = new InterceptingStore(new Layered.Backing.InMemoryBackingStore());
        using var tv = new TestVolume(StoreKind.Memory, store: store);
        var h = tv.Open("f");
        tv.Write(h, 0, "data"u8);
        tv.Volume.Release(h);
        var late = new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        // The checkpoint has captured the node and writes its header; the time arrives in between (through a
        // handle of a second open, as the close of another writer would send it).
        var h2 = tv.Open("f");
        store.BeforeNextWriteTo("f", () =>
            Assert.Equal(FsStatus.Success, tv.Volume.SetBasicInfo(h2, new BasicInfoChange(LastWriteUtc: late), out _)));
        tv.Volume.Checkpoint();
        Assert.True(store.Intercepted);
        tv.Volume.Release(h2);
        tv.Volume.Checkpoint();
        Assert.Equal(late, tv.Store.TryGetEntry("f")!.LastWriteUtc);
        tv.Remount();
        Assert.Equal(FsStatus.Success, tv.Volume.GetInfo("f", out var after));
        Assert.Equal(late, after.LastWriteUtc);
    }
}
