using Layered.Fsd;
using Layered.WinFsp.Adapter;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests;

[Trait("Area", "WinFsp")]
public sealed class NtStatusMapTests
{
    public static TheoryData<FsStatus, int> Table => new()
    {
        { FsStatus.Success, 0x00000000 },
        { FsStatus.NotFound, unchecked((int)0xC0000034) },
        { FsStatus.PathNotFound, unchecked((int)0xC000003A) },
        { FsStatus.AlreadyExists, unchecked((int)0xC0000035) },
        { FsStatus.DirectoryNotEmpty, unchecked((int)0xC0000101) },
        { FsStatus.IsADirectory, unchecked((int)0xC00000BA) },
        { FsStatus.NotADirectory, unchecked((int)0xC0000103) },
        { FsStatus.AccessDenied, unchecked((int)0xC0000022) },
        { FsStatus.NameInvalid, unchecked((int)0xC0000033) },
        { FsStatus.NameTooLong, unchecked((int)0xC0000033) },
        { FsStatus.DiskFull, unchecked((int)0xC000007F) },
        { FsStatus.IoError, unchecked((int)0xC00000E9) },
        { FsStatus.DataCorrupt, unchecked((int)0xC0000102) },
        { FsStatus.DeletePending, unchecked((int)0xC0000056) },
        { FsStatus.InvalidParameter, unchecked((int)0xC000000D) },
        { FsStatus.NotSupported, unchecked((int)0xC00000BB) },
        { FsStatus.CannotDelete, unchecked((int)0xC0000121) },
        { FsStatus.InvalidHandle, unchecked((int)0xC0000022) },
        { FsStatus.NotASymlink, unchecked((int)0xC0000275) },
        { FsStatus.NoSuchAttribute, unchecked((int)0xC0000052) },
        { FsStatus.InvalidRename, unchecked((int)0xC000000D) },
        { FsStatus.ReadOnlyVolume, unchecked((int)0xC00000A2) },
        { FsStatus.FileTooLarge, unchecked((int)0xC0000904) },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void EachEngineStatusMapsToTheNtStatusNtfsAnswers(FsStatus status, int expected) =>
        Assert.Equal(expected, NtStatusMap.ToNtStatus(status));

    [Fact]
    public void TheTableCoversEveryEngineStatusAndOnlySuccessIsSuccess()
    {
        var covered = Table.Select(row => (FsStatus)row[0]).ToHashSet();
        Assert.Equal(Enum.GetValues<FsStatus>().ToHashSet(), covered);
        foreach (var status in Enum.GetValues<FsStatus>())
            Assert.Equal(status == FsStatus.Success, NtStatus.IsSuccess(NtStatusMap.ToNtStatus(status)));
    }
}
