using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Layered.Backing.DirectoryStore;

/// <summary>Win32 calls the Windows half of the directory store needs, and the error-code mapping.</summary>
[SupportedOSPlatform("windows")]
internal static partial class WindowsNative
{
    private const string Kernel32 = "kernel32.dll";

    public const uint FileFlagBackupSemantics = 0x02000000;
    public const uint FileFlagOpenReparsePoint = 0x00200000;
    public const uint OpenExisting = 3;
    public const uint FileShareAll = 7;
    public const uint FileReadAttributes = 0x80;
    public const uint MoveFileReplaceExisting = 0x1;
    public const uint MoveFileWriteThrough = 0x8;
    public const uint FileAttributeDirectory = 0x10;
    public const uint FileAttributeReparsePoint = 0x400;
    public const uint FileAttributeReadOnly = 0x1;

    public const int ErrorFileNotFound = 2, ErrorPathNotFound = 3, ErrorAccessDenied = 5, ErrorNotSameDevice = 17,
        ErrorSharingViolation = 32, ErrorLockViolation = 33, ErrorHandleDiskFull = 39, ErrorNotSupported = 50,
        ErrorFileExists = 80, ErrorDiskFull = 112, ErrorInvalidName = 123, ErrorDirNotEmpty = 145,
        ErrorAlreadyExists = 183, ErrorFilenameExcedRange = 206, ErrorDirectory = 267;

    [StructLayout(LayoutKind.Sequential)]
    public struct ByHandleFileInformation
    {
        public uint FileAttributes;
        public long CreationTime;
        public long LastAccessTime;
        public long LastWriteTime;
        public uint VolumeSerialNumber;
        public uint FileSizeHigh;
        public uint FileSizeLow;
        public uint NumberOfLinks;
        public uint FileIndexHigh;
        public uint FileIndexLow;
    }

    [LibraryImport(Kernel32, EntryPoint = "CreateFileW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    public static partial SafeFileHandle CreateFile(string name, uint access, uint share, nint security, uint disposition, uint flags, nint template);

    [LibraryImport(Kernel32, EntryPoint = "GetFileInformationByHandle", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool GetFileInformationByHandle(SafeFileHandle handle, out ByHandleFileInformation information);

    [LibraryImport(Kernel32, EntryPoint = "CreateDirectoryW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CreateDirectory(string path, nint security);

    [LibraryImport(Kernel32, EntryPoint = "RemoveDirectoryW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool RemoveDirectory(string path);

    [LibraryImport(Kernel32, EntryPoint = "DeleteFileW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool DeleteFile(string path);

    [LibraryImport(Kernel32, EntryPoint = "MoveFileExW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool MoveFileEx(string from, string to, uint flags);

    [LibraryImport(Kernel32, EntryPoint = "CreateHardLinkW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CreateHardLink(string newPath, string existing, nint security);

    [LibraryImport(Kernel32, EntryPoint = "FlushFileBuffers", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool FlushFileBuffers(SafeFileHandle handle);

    [LibraryImport(Kernel32, EntryPoint = "GetDiskFreeSpaceExW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool GetDiskFreeSpaceEx(string directory, out ulong freeToCaller, out ulong total, out ulong free);

    public static BackingError ToBackingError(int error) => error switch
    {
        ErrorFileNotFound or ErrorPathNotFound => BackingError.NotFound,
        ErrorFileExists or ErrorAlreadyExists => BackingError.AlreadyExists,
        ErrorDirNotEmpty => BackingError.NotEmpty,
        ErrorDirectory => BackingError.NotADirectory,
        ErrorAccessDenied => BackingError.AccessDenied,
        ErrorInvalidName => BackingError.NameInvalid,
        ErrorFilenameExcedRange => BackingError.NameTooLong,
        ErrorDiskFull or ErrorHandleDiskFull => BackingError.NoSpace,
        ErrorSharingViolation or ErrorLockViolation => BackingError.Locked,
        ErrorNotSameDevice => BackingError.CrossDevice,
        ErrorNotSupported => BackingError.NotSupported,
        _ => BackingError.IoError,
    };

    public static BackingStoreException Exception(int error, string operation, string storePath) =>
        new(ToBackingError(error), storePath, $"{operation} failed ({Marshal.GetPInvokeErrorMessage(error)}, Win32 error {error})");

    public static BackingStoreException Last(string operation, string storePath) =>
        Exception(Marshal.GetLastPInvokeError(), operation, storePath);

    /// <summary>.NET file APIs report the Win32 error in the low 16 bits of the exception's HResult.</summary>
    public static BackingStoreException FromException(Exception e, string operation, string storePath) => e switch
    {
        BackingStoreException backing => backing,
        UnauthorizedAccessException => new BackingStoreException(BackingError.AccessDenied, storePath, $"{operation} failed (access denied)", e),
        _ => new BackingStoreException(ToBackingError(e.HResult & 0xFFFF), storePath, $"{operation} failed ({e.Message})", e),
    };
}
