using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests;

/// <summary>
/// Sizes and field offsets of every native struct against the values documented in winfsp.md §2
/// (checked there against the header's own static asserts). Offsets are measured on real instances,
/// so they are the runtime layout the pointer casts in the callbacks rely on.
/// </summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class LayoutTests
{
    [Fact]
    public void VolumeParamsIsTheV1LayoutOf504Bytes()
    {
        FspVolumeParams p = default;
        byte* b = (byte*)&p;
        Assert.Equal(504, sizeof(FspVolumeParams));
        Assert.Equal(504, FspVolumeParams.V1Size);
        Assert.Equal(0, (byte*)&p.Version - b);
        Assert.Equal(2, (byte*)&p.SectorSize - b);
        Assert.Equal(4, (byte*)&p.SectorsPerAllocationUnit - b);
        Assert.Equal(6, (byte*)&p.MaxComponentLength - b);
        Assert.Equal(8, (byte*)&p.VolumeCreationTime - b);
        Assert.Equal(16, (byte*)&p.VolumeSerialNumber - b);
        Assert.Equal(20, (byte*)&p.TransactTimeout - b);
        Assert.Equal(24, (byte*)&p.IrpTimeout - b);
        Assert.Equal(28, (byte*)&p.IrpCapacity - b);
        Assert.Equal(32, (byte*)&p.FileInfoTimeout - b);
        Assert.Equal(36, (byte*)&p.Flags - b);
        Assert.Equal(40, (byte*)p.Prefix - b);
        Assert.Equal(424, (byte*)p.FileSystemName - b);
        Assert.Equal(456, (byte*)&p.FlagsV1 - b);
        Assert.Equal(460, (byte*)&p.VolumeInfoTimeout - b);
        Assert.Equal(464, (byte*)&p.DirInfoTimeout - b);
        Assert.Equal(468, (byte*)&p.SecurityTimeout - b);
        Assert.Equal(472, (byte*)&p.StreamInfoTimeout - b);
        Assert.Equal(476, (byte*)&p.EaTimeout - b);
        Assert.Equal(480, (byte*)&p.FsextControlCode - b);
        Assert.Equal(484, (byte*)p.Reserved32 - b);
        Assert.Equal(488, (byte*)p.Reserved64 - b);
    }

    [Fact]
    public void FileInfoIs72Bytes()
    {
        FspFileInfo i = default;
        byte* b = (byte*)&i;
        Assert.Equal(72, sizeof(FspFileInfo));
        Assert.Equal(0, (byte*)&i.FileAttributes - b);
        Assert.Equal(4, (byte*)&i.ReparseTag - b);
        Assert.Equal(8, (byte*)&i.AllocationSize - b);
        Assert.Equal(16, (byte*)&i.FileSize - b);
        Assert.Equal(24, (byte*)&i.CreationTime - b);
        Assert.Equal(32, (byte*)&i.LastAccessTime - b);
        Assert.Equal(40, (byte*)&i.LastWriteTime - b);
        Assert.Equal(48, (byte*)&i.ChangeTime - b);
        Assert.Equal(56, (byte*)&i.IndexNumber - b);
        Assert.Equal(64, (byte*)&i.HardLinks - b);
        Assert.Equal(68, (byte*)&i.EaSize - b);
    }

    [Fact]
    public void OpenFileInfoIs88Bytes()
    {
        FspOpenFileInfo o = default;
        byte* b = (byte*)&o;
        Assert.Equal(88, sizeof(FspOpenFileInfo));
        Assert.Equal(0, (byte*)&o.FileInfo - b);
        Assert.Equal(72, (byte*)&o.NormalizedName - b);
        Assert.Equal(80, (byte*)&o.NormalizedNameSize - b);
    }

    [Fact]
    public void VolumeInfoIs88Bytes()
    {
        FspVolumeInfo v = default;
        byte* b = (byte*)&v;
        Assert.Equal(88, sizeof(FspVolumeInfo));
        Assert.Equal(0, (byte*)&v.TotalSize - b);
        Assert.Equal(8, (byte*)&v.FreeSize - b);
        Assert.Equal(16, (byte*)&v.VolumeLabelLength - b);
        Assert.Equal(18, (byte*)v.VolumeLabel - b);
    }

    [Fact]
    public void DirInfoHeaderIs104Bytes()
    {
        FspDirInfo d = default;
        byte* b = (byte*)&d;
        Assert.Equal(104, sizeof(FspDirInfo));
        Assert.Equal(0, (byte*)&d.Size - b);
        Assert.Equal(8, (byte*)&d.FileInfo - b);
        Assert.Equal(80, (byte*)&d.NextOffset - b);
        Assert.Equal(80, (byte*)d.Padding - b);
        Assert.Equal(104, (byte*)FspDirInfo.FileNameOf(&d) - b);
    }

    [Fact]
    public void FileSystemHeaderPutsTheFieldsWeTouchAtTheirX64Offsets()
    {
        FspFileSystemHeader f = default;
        byte* b = (byte*)&f;
        Assert.Equal(792, sizeof(FspFileSystemHeader));
        Assert.Equal(0, (byte*)&f.Version - b);
        Assert.Equal(8, (byte*)&f.UserContext - b);
        Assert.Equal(16, (byte*)f.VolumeName - b);
        Assert.Equal(528, (byte*)&f.VolumeHandle - b);
        Assert.Equal(728, (byte*)&f.Interface - b);
        Assert.Equal(744, (byte*)&f.DispatcherThreadCount - b);
        Assert.Equal(748, (byte*)&f.DispatcherResult - b);
        Assert.Equal(752, (byte*)&f.MountPoint - b);
        Assert.Equal(768, (byte*)&f.DebugLog - b);
        Assert.Equal(772, (byte*)&f.OpGuardStrategy - b);
        Assert.Equal(784, (byte*)&f.UmFileContextIsUserContext2 - b);
        Assert.Equal(785, (byte*)&f.UmFileContextIsFullContext - b);
    }

    [Fact]
    public void InterfaceIs64PointerSlots()
    {
        FspFileSystemInterface table = default;
        byte* b = (byte*)&table;
        Assert.Equal(512, sizeof(FspFileSystemInterface));
        Assert.Equal(64, InterfaceSlot.Count);
        Assert.Equal(8 * InterfaceSlot.DispatcherStopped, (byte*)&table[InterfaceSlot.DispatcherStopped] - b);
        Assert.Equal(8 * 63, (byte*)&table[63] - b);
    }
}
