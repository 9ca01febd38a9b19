namespace Layered.Backing;

/// <summary>
/// The folder that holds a vault's encrypted files, behind one interface so the engine can run on the
/// real directory, on memory (systematic concurrency tests) or through a recorder (crash tests).
/// Paths are relative to the store root, use '/' as separator, never start with '/', and "" is the
/// root itself. Names are stored exactly as given (no case folding, no normalization): the engine
/// decides names. Every call completes against the store before it returns. Errors are
/// <see cref="BackingStoreException"/> with a <see cref="BackingError"/> and the path concerned.
/// </summary>
public interface IBackingStore : IDisposable
{
    /// <summary>Human-readable location (a folder path, or "memory") for messages.</summary>
    string Location { get; }

    /// <summary>lstat: the entry at <paramref name="path"/>, or null when nothing is there.</summary>
    BackingEntry? TryGetEntry(string path);

    /// <summary>The entries of a directory (not "." or ".."), in no particular order.</summary>
    IReadOnlyList<BackingEntry> ListDirectory(string path);

    /// <summary>Opens a regular file. <see cref="BackingOpenMode.CreateNew"/> fails with
    /// <see cref="BackingError.AlreadyExists"/> when anything is at the path.</summary>
    IBackingFile OpenFile(string path, BackingOpenMode mode);

    /// <summary>mkdir; fails with AlreadyExists when anything is at the path.</summary>
    void CreateDirectory(string path, UnixMode mode = UnixMode.DefaultDirectory);

    /// <summary>unlink of a regular file (one name of it; other hard links stay).</summary>
    void DeleteFile(string path);

    /// <summary>rmdir; fails with NotEmpty when the directory has entries.</summary>
    void DeleteDirectory(string path);

    /// <summary>rename(2), atomic. With <paramref name="replace"/> false it fails with AlreadyExists when
    /// the target exists (RENAME_NOREPLACE). With true, a file replaces a file and a directory replaces an
    /// empty directory, as POSIX rename does; other combinations fail (IsADirectory / NotADirectory /
    /// NotEmpty).</summary>
    void Rename(string from, string to, bool replace);

    /// <summary>link(2): a second name for a regular file.</summary>
    void CreateHardLink(string existing, string newPath);

    /// <summary>Permission bits (chmod).</summary>
    void SetMode(string path, UnixMode mode);

    /// <summary>chown; -1 leaves that id unchanged.</summary>
    void SetOwner(string path, int uid, int gid);

    /// <summary>Access and modification times; null leaves that time unchanged.</summary>
    void SetTimes(string path, DateTime? lastAccessUtc, DateTime? lastWriteUtc);

    /// <summary>Extended attribute value, or null when absent.</summary>
    byte[]? GetXattr(string path, string name);
    void SetXattr(string path, string name, ReadOnlySpan<byte> value);
    /// <summary>Returns false when the attribute was not there.</summary>
    bool RemoveXattr(string path, string name);
    IReadOnlyList<string> ListXattrs(string path);

    /// <summary>fsync of a directory, so the names created, renamed or removed in it are durable.</summary>
    void SyncDirectory(string path);

    /// <summary>Whether <see cref="SyncAll"/> is available: a store that cannot flush as a whole says false, and
    /// callers fall back to <see cref="IBackingFile.Flush"/> and <see cref="SyncDirectory"/> per object.</summary>
    bool CanSyncAll => false;

    /// <summary>
    /// syncfs(2): every write, length change, create, rename, unlink, hard link, attribute and xattr change that
    /// completed in the store before the call is durable when it returns, in one flush of the whole store (one
    /// file system commit where fsyncing N files costs N). May flush more than the store (the whole file system
    /// that holds it). Fails with <see cref="BackingError.NotSupported"/> when <see cref="CanSyncAll"/> is false,
    /// and with the error the system reports when earlier write-back failed.
    /// </summary>
    void SyncAll() => throw new BackingStoreException(BackingError.NotSupported, "", $"The store at {Location} cannot be flushed as a whole");

    /// <summary>Size and free space of the volume that holds the store.</summary>
    BackingStatistics GetStatistics();

    /// <summary>Takes an exclusive, process-wide lock represented by the file at <paramref name="path"/>
    /// (created if missing). Fails with <see cref="BackingError.Locked"/> when another holder has it.
    /// Dispose releases it. A crashed holder's lock is released by the OS.</summary>
    IDisposable AcquireExclusiveLock(string path);
}

/// <summary>An open regular file in the store. Thread-safe for concurrent positional reads and writes.</summary>
public interface IBackingFile : IDisposable
{
    string Path { get; }
    long Length { get; }
    /// <summary>pread: reads up to buffer.Length bytes at offset; returns the count (0 at end).</summary>
    int Read(long offset, Span<byte> buffer);
    /// <summary>pwrite: writes all of data at offset, extending the file if needed.</summary>
    void Write(long offset, ReadOnlySpan<byte> data);
    /// <summary>ftruncate.</summary>
    void SetLength(long length);
    /// <summary>fsync (data and the metadata needed to read it back).</summary>
    void Flush();

    /// <summary>fdatasync: the data and what is needed to read it back (the size), not other metadata such as
    /// times — cheaper for a file rewritten in place. Stores without the distinction flush fully.</summary>
    void FlushData() => Flush();
}

public enum BackingOpenMode
{
    /// <summary>Open an existing file for reading only.</summary>
    OpenRead,
    /// <summary>Open an existing file for reading and writing.</summary>
    OpenReadWrite,
    /// <summary>Create a new file (fails if anything exists at the path), for reading and writing.</summary>
    CreateNew,
}

public enum BackingEntryKind { File, Directory, Symlink, Other }

/// <summary>What lstat tells about one name.</summary>
/// <param name="Name">The last path component.</param>
/// <param name="Inode">Stable identity of the underlying object (hard links share it).</param>
/// <param name="Length">Stored length in bytes (for files: header and chunks, not the plaintext size).</param>
public sealed record BackingEntry(
    string Name,
    BackingEntryKind Kind,
    long Length,
    ulong Inode,
    int LinkCount,
    UnixMode Mode,
    int Uid,
    int Gid,
    DateTime LastAccessUtc,
    DateTime LastWriteUtc,
    DateTime ChangeUtc);

public readonly record struct BackingStatistics(long TotalBytes, long FreeBytes, long AvailableBytes);

/// <summary>POSIX permission bits (the low 12 bits of st_mode).</summary>
[Flags]
public enum UnixMode : uint
{
    None = 0,
    OtherExecute = 0x1, OtherWrite = 0x2, OtherRead = 0x4,
    GroupExecute = 0x8, GroupWrite = 0x10, GroupRead = 0x20,
    UserExecute = 0x40, UserWrite = 0x80, UserRead = 0x100,
    Sticky = 0x200, SetGid = 0x400, SetUid = 0x800,
    DefaultFile = UserRead | UserWrite | GroupRead | OtherRead,                 // 0644
    DefaultDirectory = DefaultFile | UserExecute | GroupExecute | OtherExecute, // 0755
    PermissionMask = 0xFFF,
}

public enum BackingError
{
    NotFound,
    AlreadyExists,
    NotEmpty,
    IsADirectory,
    NotADirectory,
    AccessDenied,
    NameInvalid,
    NameTooLong,
    NoSpace,
    Locked,
    CrossDevice,
    NotSupported,
    IoError,
}

/// <summary>A store operation failed; names the path and the reason.</summary>
public sealed class BackingStoreException : IOException
{
    public BackingStoreException(BackingError error, string path, string message, Exception? inner = null)
        : base($"{message}: '{path}'", inner)
    {
        Error = error;
        StorePath = path;
    }

    public BackingError Error { get; }
    public string StorePath { get; }
}
