using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests;

/// <summary>NTSTATUS constants against winfsp.md Appendix A (ntstatus.h).</summary>
[Trait("Area", "WinFsp")]
public sealed class NtStatusTests
{
    public static TheoryData<string, uint> Documented => new()
    {
        { nameof(NtStatus.Success), 0x00000000 }, { nameof(NtStatus.Pending), 0x00000103 },
        { nameof(NtStatus.Reparse), 0x00000104 }, { nameof(NtStatus.BufferOverflow), 0x80000005 },
        { nameof(NtStatus.NoMoreFiles), 0x80000006 }, { nameof(NtStatus.EaListInconsistent), 0x80000014 },
        { nameof(NtStatus.NotImplemented), 0xC0000002 }, { nameof(NtStatus.InvalidHandle), 0xC0000008 },
        { nameof(NtStatus.InvalidParameter), 0xC000000D }, { nameof(NtStatus.InvalidDeviceRequest), 0xC0000010 },
        { nameof(NtStatus.EndOfFile), 0xC0000011 }, { nameof(NtStatus.AccessDenied), 0xC0000022 },
        { nameof(NtStatus.BufferTooSmall), 0xC0000023 }, { nameof(NtStatus.ObjectNameInvalid), 0xC0000033 },
        { nameof(NtStatus.ObjectNameNotFound), 0xC0000034 }, { nameof(NtStatus.ObjectNameCollision), 0xC0000035 },
        { nameof(NtStatus.ObjectPathNotFound), 0xC000003A }, { nameof(NtStatus.SharingViolation), 0xC0000043 },
        { nameof(NtStatus.FileLockConflict), 0xC0000054 }, { nameof(NtStatus.DeletePending), 0xC0000056 },
        { nameof(NtStatus.PrivilegeNotHeld), 0xC0000061 }, { nameof(NtStatus.InvalidSecurityDescr), 0xC0000079 },
        { nameof(NtStatus.DiskFull), 0xC000007F }, { nameof(NtStatus.InsufficientResources), 0xC000009A },
        { nameof(NtStatus.MediaWriteProtected), 0xC00000A2 }, { nameof(NtStatus.DeviceNotReady), 0xC00000A3 },
        { nameof(NtStatus.FileIsADirectory), 0xC00000BA }, { nameof(NtStatus.NotSupported), 0xC00000BB },
        { nameof(NtStatus.CantWait), 0xC00000D8 }, { nameof(NtStatus.InternalError), 0xC00000E5 },
        { nameof(NtStatus.UnexpectedIoError), 0xC00000E9 }, { nameof(NtStatus.DirectoryNotEmpty), 0xC0000101 },
        { nameof(NtStatus.NotADirectory), 0xC0000103 }, { nameof(NtStatus.Cancelled), 0xC0000120 },
        { nameof(NtStatus.CannotDelete), 0xC0000121 }, { nameof(NtStatus.FileDeleted), 0xC0000123 },
        { nameof(NtStatus.DeviceConfigurationError), 0xC0000182 }, { nameof(NtStatus.UserMappedFile), 0xC0000243 },
        { nameof(NtStatus.NotAReparsePoint), 0xC0000275 }, { nameof(NtStatus.IoReparseTagNotHandled), 0xC0000279 },
        { nameof(NtStatus.ReparsePointNotResolved), 0xC0000280 }, { nameof(NtStatus.IoReparseTagInvalid), 0xC0000276 },
        { nameof(NtStatus.IoReparseTagMismatch), 0xC0000277 }, { nameof(NtStatus.IoReparseDataInvalid), 0xC0000278 },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void ConstantHasItsDocumentedValueAndAName(string name, uint value)
    {
        int actual = (int)typeof(NtStatus).GetField(name)!.GetValue(null)!;
        Assert.Equal(value, (uint)actual);
        Assert.Equal(value < 0x80000000, NtStatus.IsSuccess(actual));
        Assert.StartsWith("STATUS_", NtStatus.Describe(actual), StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeGivesNameAndHex()
    {
        Assert.Equal("STATUS_ACCESS_DENIED (0xC0000022)", NtStatus.Describe(NtStatus.AccessDenied));
        Assert.Equal("0xC0001234", NtStatus.Describe(unchecked((int)0xC0001234)));
    }
}
