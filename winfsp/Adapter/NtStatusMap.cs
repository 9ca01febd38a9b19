using Layered.Fsd;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// The one translation of engine statuses into NTSTATUS for the WinFsp host. The choices follow what NTFS
/// answers for the same condition (winfsp.md §2.11 names the codes the DLL and FSD depend on, e.g. exactly
/// STATUS_OBJECT_NAME_NOT_FOUND for a missing last component and STATUS_OBJECT_NAME_COLLISION for an existing
/// name).
/// </summary>
public static class NtStatusMap
{
    /// <summary>STATUS_FILE_CORRUPT_ERROR: stored data failed authentication.</summary>
    public const int FileCorruptError = unchecked((int)0xC0000102);

    /// <summary>STATUS_NO_EAS_ON_FILE: the extended attribute asked for does not exist.</summary>
    public const int NoEasOnFile = unchecked((int)0xC0000052);

    /// <summary>STATUS_FILE_TOO_LARGE: the size asked for exceeds the largest file the volume holds.</summary>
    public const int FileTooLarge = unchecked((int)0xC0000904);

    public static int ToNtStatus(FsStatus status) => status switch
    {
        FsStatus.Success => NtStatus.Success,
        FsStatus.NotFound => NtStatus.ObjectNameNotFound,
        FsStatus.PathNotFound => NtStatus.ObjectPathNotFound,
        FsStatus.AlreadyExists => NtStatus.ObjectNameCollision,
        FsStatus.DirectoryNotEmpty => NtStatus.DirectoryNotEmpty,
        FsStatus.IsADirectory => NtStatus.FileIsADirectory,
        FsStatus.NotADirectory => NtStatus.NotADirectory,
        FsStatus.AccessDenied => NtStatus.AccessDenied,
        FsStatus.NameInvalid => NtStatus.ObjectNameInvalid,
        // NTFS answers an over-long component with STATUS_OBJECT_NAME_INVALID too.
        FsStatus.NameTooLong => NtStatus.ObjectNameInvalid,
        FsStatus.DiskFull => NtStatus.DiskFull,
        FsStatus.IoError => NtStatus.UnexpectedIoError,
        FsStatus.DataCorrupt => FileCorruptError,
        FsStatus.DeletePending => NtStatus.DeletePending,
        FsStatus.InvalidParameter => NtStatus.InvalidParameter,
        FsStatus.NotSupported => NtStatus.NotSupported,
        FsStatus.CannotDelete => NtStatus.CannotDelete,
        // The engine's "handle lacks the access" (EBADF); WinFsp checked access already, so this is a refusal.
        FsStatus.InvalidHandle => NtStatus.AccessDenied,
        FsStatus.NotASymlink => NtStatus.NotAReparsePoint,
        FsStatus.NoSuchAttribute => NoEasOnFile,
        // Moving a directory below itself: NTFS refuses it as an invalid parameter.
        FsStatus.InvalidRename => NtStatus.InvalidParameter,
        FsStatus.ReadOnlyVolume => NtStatus.MediaWriteProtected,
        FsStatus.FileTooLarge => FileTooLarge,
        _ => NtStatus.UnexpectedIoError,
    };
}
