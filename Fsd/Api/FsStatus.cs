namespace Layered.Fsd;

/// <summary>
/// The one status model of the engine. Each host maps it once: WinFsp to NTSTATUS, FUSE to errno.
/// </summary>
public enum FsStatus
{
    Success = 0,
    /// <summary>The last component does not exist (ENOENT / STATUS_OBJECT_NAME_NOT_FOUND).</summary>
    NotFound,
    /// <summary>A parent directory does not exist (ENOENT / STATUS_OBJECT_PATH_NOT_FOUND).</summary>
    PathNotFound,
    AlreadyExists,
    DirectoryNotEmpty,
    /// <summary>A file operation on a directory (EISDIR / STATUS_FILE_IS_A_DIRECTORY).</summary>
    IsADirectory,
    /// <summary>A directory operation on a file (ENOTDIR / STATUS_NOT_A_DIRECTORY).</summary>
    NotADirectory,
    AccessDenied,
    /// <summary>The name is not valid here: reserved, or refused by the backing store.</summary>
    NameInvalid,
    NameTooLong,
    DiskFull,
    /// <summary>The backing store failed an I/O.</summary>
    IoError,
    /// <summary>Stored data failed authentication (tampered or damaged): never returned as data.</summary>
    DataCorrupt,
    /// <summary>The file has a pending delete (STATUS_DELETE_PENDING).</summary>
    DeletePending,
    InvalidParameter,
    NotSupported,
    /// <summary>Delete refused because the file is read-only (STATUS_CANNOT_DELETE / EPERM).</summary>
    CannotDelete,
    /// <summary>The handle lacks the access the operation needs (EBADF / STATUS_ACCESS_DENIED).</summary>
    InvalidHandle,
    /// <summary>Not a symbolic link (EINVAL for readlink).</summary>
    NotASymlink,
    /// <summary>The extended attribute does not exist (ENODATA).</summary>
    NoSuchAttribute,
    /// <summary>Moving a directory into its own subtree (EINVAL).</summary>
    InvalidRename,
    /// <summary>The volume is mounted read-only (EROFS / STATUS_MEDIA_WRITE_PROTECTED).</summary>
    ReadOnlyVolume,
    /// <summary>A file would exceed the maximum size (EFBIG).</summary>
    FileTooLarge,
}

/// <summary>An engine operation failed with a status; the message names the path.</summary>
public sealed class FsException : IOException
{
    public FsException(FsStatus status, string path, string message, Exception? inner = null)
        : base(path.Length == 0 ? message : $"{message}: '/{path}'", inner)
    {
        Status = status;
        FsPath = path;
    }

    public FsStatus Status { get; }
    public string FsPath { get; }
}
