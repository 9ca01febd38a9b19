namespace Layered.WinFsp.Native;

/// <summary>
/// NTSTATUS values a WinFsp file system returns (values from the Windows SDK ntstatus.h, as listed in
/// the WinFsp reference, Appendix A). An NTSTATUS is a signed 32-bit value: negative means error.
/// </summary>
public static class NtStatus
{
    public const int Success = 0x00000000;
    public const int Pending = 0x00000103;
    public const int Reparse = 0x00000104;
    public const int BufferOverflow = unchecked((int)0x80000005);
    public const int NoMoreFiles = unchecked((int)0x80000006);
    public const int EaListInconsistent = unchecked((int)0x80000014);
    public const int NotImplemented = unchecked((int)0xC0000002);
    public const int InvalidHandle = unchecked((int)0xC0000008);
    public const int InvalidParameter = unchecked((int)0xC000000D);
    public const int InvalidDeviceRequest = unchecked((int)0xC0000010);
    public const int EndOfFile = unchecked((int)0xC0000011);
    public const int AccessDenied = unchecked((int)0xC0000022);
    public const int BufferTooSmall = unchecked((int)0xC0000023);
    public const int ObjectNameInvalid = unchecked((int)0xC0000033);
    public const int ObjectNameNotFound = unchecked((int)0xC0000034);
    public const int ObjectNameCollision = unchecked((int)0xC0000035);
    public const int ObjectPathNotFound = unchecked((int)0xC000003A);
    public const int SharingViolation = unchecked((int)0xC0000043);
    public const int FileLockConflict = unchecked((int)0xC0000054);
    public const int DeletePending = unchecked((int)0xC0000056);
    public const int PrivilegeNotHeld = unchecked((int)0xC0000061);
    public const int InvalidSecurityDescr = unchecked((int)0xC0000079);
    public const int DiskFull = unchecked((int)0xC000007F);
    public const int InsufficientResources = unchecked((int)0xC000009A);
    public const int MediaWriteProtected = unchecked((int)0xC00000A2);
    public const int DeviceNotReady = unchecked((int)0xC00000A3);
    public const int FileIsADirectory = unchecked((int)0xC00000BA);
    public const int NotSupported = unchecked((int)0xC00000BB);
    public const int CantWait = unchecked((int)0xC00000D8);
    public const int InternalError = unchecked((int)0xC00000E5);
    public const int UnexpectedIoError = unchecked((int)0xC00000E9);
    public const int DirectoryNotEmpty = unchecked((int)0xC0000101);
    public const int NotADirectory = unchecked((int)0xC0000103);
    public const int Cancelled = unchecked((int)0xC0000120);
    public const int CannotDelete = unchecked((int)0xC0000121);
    public const int FileDeleted = unchecked((int)0xC0000123);
    public const int DeviceConfigurationError = unchecked((int)0xC0000182);
    public const int UserMappedFile = unchecked((int)0xC0000243);
    public const int NotAReparsePoint = unchecked((int)0xC0000275);
    public const int IoReparseTagInvalid = unchecked((int)0xC0000276);
    public const int IoReparseTagMismatch = unchecked((int)0xC0000277);
    public const int IoReparseDataInvalid = unchecked((int)0xC0000278);
    public const int IoReparseTagNotHandled = unchecked((int)0xC0000279);
    public const int ReparsePointNotResolved = unchecked((int)0xC0000280);
    public const int DllNotFound = unchecked((int)0xC0000135);

    /// <summary>NT_SUCCESS: success and informational codes are non-negative.</summary>
    public static bool IsSuccess(int status) => status >= 0;

    /// <summary>"STATUS_ACCESS_DENIED (0xC0000022)" style text for logs and exception messages.</summary>
    public static string Describe(int status)
    {
        string hex = "0x" + ((uint)status).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
        return Name(status) is { } name ? $"{name} ({hex})" : hex;
    }

    private static string? Name(int status) => status switch
    {
        Success => "STATUS_SUCCESS",
        Pending => "STATUS_PENDING",
        Reparse => "STATUS_REPARSE",
        BufferOverflow => "STATUS_BUFFER_OVERFLOW",
        NoMoreFiles => "STATUS_NO_MORE_FILES",
        EaListInconsistent => "STATUS_EA_LIST_INCONSISTENT",
        NotImplemented => "STATUS_NOT_IMPLEMENTED",
        InvalidHandle => "STATUS_INVALID_HANDLE",
        InvalidParameter => "STATUS_INVALID_PARAMETER",
        InvalidDeviceRequest => "STATUS_INVALID_DEVICE_REQUEST",
        EndOfFile => "STATUS_END_OF_FILE",
        AccessDenied => "STATUS_ACCESS_DENIED",
        BufferTooSmall => "STATUS_BUFFER_TOO_SMALL",
        ObjectNameInvalid => "STATUS_OBJECT_NAME_INVALID",
        ObjectNameNotFound => "STATUS_OBJECT_NAME_NOT_FOUND",
        ObjectNameCollision => "STATUS_OBJECT_NAME_COLLISION",
        ObjectPathNotFound => "STATUS_OBJECT_PATH_NOT_FOUND",
        SharingViolation => "STATUS_SHARING_VIOLATION",
        FileLockConflict => "STATUS_FILE_LOCK_CONFLICT",
        DeletePending => "STATUS_DELETE_PENDING",
        PrivilegeNotHeld => "STATUS_PRIVILEGE_NOT_HELD",
        InvalidSecurityDescr => "STATUS_INVALID_SECURITY_DESCR",
        DiskFull => "STATUS_DISK_FULL",
        InsufficientResources => "STATUS_INSUFFICIENT_RESOURCES",
        MediaWriteProtected => "STATUS_MEDIA_WRITE_PROTECTED",
        DeviceNotReady => "STATUS_DEVICE_NOT_READY",
        FileIsADirectory => "STATUS_FILE_IS_A_DIRECTORY",
        NotSupported => "STATUS_NOT_SUPPORTED",
        CantWait => "STATUS_CANT_WAIT",
        InternalError => "STATUS_INTERNAL_ERROR",
        UnexpectedIoError => "STATUS_UNEXPECTED_IO_ERROR",
        DirectoryNotEmpty => "STATUS_DIRECTORY_NOT_EMPTY",
        NotADirectory => "STATUS_NOT_A_DIRECTORY",
        Cancelled => "STATUS_CANCELLED",
        CannotDelete => "STATUS_CANNOT_DELETE",
        FileDeleted => "STATUS_FILE_DELETED",
        DeviceConfigurationError => "STATUS_DEVICE_CONFIGURATION_ERROR",
        UserMappedFile => "STATUS_USER_MAPPED_FILE",
        NotAReparsePoint => "STATUS_NOT_A_REPARSE_POINT",
        IoReparseTagInvalid => "STATUS_IO_REPARSE_TAG_INVALID",
        IoReparseTagMismatch => "STATUS_IO_REPARSE_TAG_MISMATCH",
        IoReparseDataInvalid => "STATUS_IO_REPARSE_DATA_INVALID",
        IoReparseTagNotHandled => "STATUS_IO_REPARSE_TAG_NOT_HANDLED",
        ReparsePointNotResolved => "STATUS_REPARSE_POINT_NOT_RESOLVED",
        DllNotFound => "STATUS_DLL_NOT_FOUND",
        _ => null,
    };
}
