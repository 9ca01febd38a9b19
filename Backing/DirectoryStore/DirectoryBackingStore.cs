using Layered.Backing.DirectoryStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Backing;

/// <summary>
/// The real backing store: a folder on the local file system. Validates every path (no "..", no
/// absolute paths, no empty components, no NUL) before any OS call, so nothing outside the root is
/// ever touched, then hands the call to the OS-specific half. Extended attribute names are plain
/// names ("foo"); on Linux they are stored as "user.foo".
/// </summary>
public sealed class DirectoryBackingStore : IBackingStore
{
    private readonly INativeFileSystem _native;
    private readonly string _root;

    /// <summary>Opened with the store, before anything it must make durable is written (see
    /// <see cref="IFileSystemFlush"/>); null where the system has no whole-file-system flush.</summary>
    private readonly IFileSystemFlush? _fileSystemFlush;

    /// <param name="rootPath">An existing folder; it becomes the store root "".</param>
    /// <param name="logger">Receives lock and diagnostic messages (never file contents).</param>
    public DirectoryBackingStore(string rootPath, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootPath));
        if (!Directory.Exists(_root))
        {
            throw new BackingStoreException(BackingError.NotFound, _root, "The backing folder does not exist or is not a directory");
        }
        logger ??= NullLogger.Instance;
        if (OperatingSystem.IsLinux())
        {
            _native = new LinuxFileSystem(logger);
        }
        else if (OperatingSystem.IsWindows())
        {
            _native = new WindowsFileSystem(logger);
        }
        else
        {
            throw new PlatformNotSupportedException("The directory backing store runs on Linux and Windows only");
        }
        try
        {
            _fileSystemFlush = _native.OpenFileSystemFlush(new StorePath("", _root));
        }
        catch (BackingStoreException e)
        {
            logger.LogWarning(e, "The backing folder {Folder} cannot be flushed as a whole; it will be flushed file by file", _root);
        }
    }

    public string Location => _root;

    public BackingEntry? TryGetEntry(string path) => _native.TryGetEntry(Resolve(path));

    public IReadOnlyList<BackingEntry> ListDirectory(string path) => _native.ListDirectory(Resolve(path));

    public IBackingFile OpenFile(string path, BackingOpenMode mode)
    {
        if (path.Length == 0)
        {
            throw new BackingStoreException(BackingError.IsADirectory, path, "The store root is a directory");
        }
        return _native.OpenFile(Resolve(path), mode);
    }

    public void CreateDirectory(string path, UnixMode mode = UnixMode.DefaultDirectory)
    {
        if (path.Length == 0)
        {
            throw new BackingStoreException(BackingError.AlreadyExists, path, "The store root already exists");
        }
        _native.CreateDirectory(Resolve(path), mode);
    }

    public void DeleteFile(string path)
    {
        BackingPath.ValidateNotRoot(path, "delete");
        _native.DeleteFile(Resolve(path));
    }

    public void DeleteDirectory(string path)
    {
        BackingPath.ValidateNotRoot(path, "delete");
        _native.DeleteDirectory(Resolve(path));
    }

    public void Rename(string from, string to, bool replace)
    {
        BackingPath.ValidateNotRoot(from, "rename");
        BackingPath.ValidateNotRoot(to, "rename onto");
        if (from != to && BackingPath.IsSameOrBelow(to, from))
        {
            throw new BackingStoreException(BackingError.NameInvalid, to, $"Cannot move '{from}' into itself");
        }
        _native.Rename(Resolve(from), Resolve(to), replace);
    }

    public void CreateHardLink(string existing, string newPath)
    {
        BackingPath.ValidateNotRoot(existing, "link");
        BackingPath.ValidateNotRoot(newPath, "link onto");
        _native.CreateHardLink(Resolve(existing), Resolve(newPath));
    }

    public void SetMode(string path, UnixMode mode) => _native.SetMode(Resolve(path), mode);

    public void SetOwner(string path, int uid, int gid) => _native.SetOwner(Resolve(path), uid, gid);

    public void SetTimes(string path, DateTime? lastAccessUtc, DateTime? lastWriteUtc) =>
        _native.SetTimes(Resolve(path), lastAccessUtc, lastWriteUtc);

    public byte[]? GetXattr(string path, string name) => _native.GetXattr(Resolve(path), name);

    public void SetXattr(string path, string name, ReadOnlySpan<byte> value) => _native.SetXattr(Resolve(path), name, value);

    public bool RemoveXattr(string path, string name) => _native.RemoveXattr(Resolve(path), name);

    public IReadOnlyList<string> ListXattrs(string path) => _native.ListXattrs(Resolve(path));

    public void SyncDirectory(string path) => _native.SyncDirectory(Resolve(path));

    /// <summary>True on Linux (syncfs of the folder's file system) once the folder could be opened for it.</summary>
    public bool CanSyncAll => _fileSystemFlush is not null;

    public void SyncAll()
    {
        if (_fileSystemFlush is null)
        {
            throw new BackingStoreException(BackingError.NotSupported, "", $"The file system holding '{_root}' cannot be flushed as a whole here");
        }
        _fileSystemFlush.Flush();
    }

    public BackingStatistics GetStatistics() => _native.GetStatistics(new StorePath("", _root));

    public IDisposable AcquireExclusiveLock(string path)
    {
        BackingPath.ValidateNotRoot(path, "lock");
        return _native.AcquireExclusiveLock(Resolve(path));
    }

    /// <summary>Releases the folder descriptor kept for <see cref="SyncAll"/>. Every other call opens and closes
    /// what it needs; open files and locks are owned by their own handles.</summary>
    public void Dispose() => _fileSystemFlush?.Dispose();

    private StorePath Resolve(string path)
    {
        BackingPath.Validate(path);
        return new StorePath(path, path.Length == 0 ? _root : _root + "/" + path);
    }
}
