using Layered.Fsd;

namespace Layered.Fuse.Adapter;

/// <summary>The engine's status model as errno values: the one place this mapping lives for the Linux host.</summary>
public static class ErrnoMapping
{
    /// <summary>0 for success, else the positive errno.</summary>
    public static int ToErrno(FsStatus status) => status switch
    {
        FsStatus.Success => 0,
        FsStatus.NotFound or FsStatus.PathNotFound or FsStatus.DeletePending => Errno.ENOENT,
        FsStatus.AlreadyExists => Errno.EEXIST,
        FsStatus.DirectoryNotEmpty => Errno.ENOTEMPTY,
        FsStatus.IsADirectory => Errno.EISDIR,
        FsStatus.NotADirectory => Errno.ENOTDIR,
        FsStatus.AccessDenied => Errno.EACCES,
        FsStatus.CannotDelete => Errno.EPERM,
        FsStatus.NameInvalid or FsStatus.InvalidParameter or FsStatus.NotASymlink or FsStatus.InvalidRename => Errno.EINVAL,
        FsStatus.NameTooLong => Errno.ENAMETOOLONG,
        FsStatus.DiskFull => Errno.ENOSPC,
        FsStatus.IoError or FsStatus.DataCorrupt => Errno.EIO,
        FsStatus.NotSupported => Errno.EOPNOTSUPP,
        FsStatus.InvalidHandle => Errno.EBADF,
        FsStatus.NoSuchAttribute => Errno.ENODATA,
        FsStatus.ReadOnlyVolume => Errno.EROFS,
        FsStatus.FileTooLarge => Errno.EFBIG,
        _ => Errno.EIO,
    };

    /// <summary>The FUSE return convention: 0 or -errno.</summary>
    public static int Result(FsStatus status) => -ToErrno(status);
}
