using System.Runtime.Versioning;

namespace Layered.Backing.DirectoryStore;

/// <summary>Linux errno values we react to, and their translation to <see cref="BackingError"/>.</summary>
[SupportedOSPlatform("linux")]
internal static class LinuxErrno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, E2BIG = 7, EBADF = 9, EAGAIN = 11,
        EACCES = 13, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
        EFBIG = 27, ENOSPC = 28, EROFS = 30, EMLINK = 31, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38,
        ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EILSEQ = 84, EOPNOTSUPP = 95, EDQUOT = 122;

    public static BackingError ToBackingError(int errno) => errno switch
    {
        ENOENT => BackingError.NotFound,
        EEXIST => BackingError.AlreadyExists,
        ENOTEMPTY => BackingError.NotEmpty,
        EISDIR => BackingError.IsADirectory,
        ENOTDIR => BackingError.NotADirectory,
        EACCES or EPERM or EROFS => BackingError.AccessDenied,
        EINVAL or EILSEQ => BackingError.NameInvalid,
        ENAMETOOLONG => BackingError.NameTooLong,
        ENOSPC or EDQUOT => BackingError.NoSpace,
        EAGAIN => BackingError.Locked,
        EXDEV => BackingError.CrossDevice,
        EOPNOTSUPP or ENOSYS => BackingError.NotSupported,
        _ => BackingError.IoError,
    };

    /// <summary>An exception for a failed libc call: the operation, the errno's text and the store path.</summary>
    public static BackingStoreException Exception(int errno, string operation, string storePath) =>
        new(ToBackingError(errno), storePath, $"{operation} failed ({Describe(errno)})");

    /// <summary>The same, for the errno left by the last P/Invoke.</summary>
    public static BackingStoreException Last(string operation, string storePath) =>
        Exception(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), operation, storePath);

    public static string Describe(int errno) =>
        $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}, errno {errno}";
}
