namespace Layered.Backing.DirectoryStore;

/// <summary>A validated store path: the relative form for messages, the full OS path for calls.</summary>
internal readonly record struct StorePath(string Relative, string Full);

/// <summary>
/// The operating-system half of <see cref="DirectoryBackingStore"/>: one implementation per OS, each
/// receiving already-validated paths and throwing <see cref="BackingStoreException"/> that name the
/// relative path. Keeping the OS calls behind this seam keeps platform checks out of the store.
/// </summary>
internal interface INativeFileSystem
{
    BackingEntry? TryGetEntry(StorePath path);
    IReadOnlyList<BackingEntry> ListDirectory(StorePath path);
    IBackingFile OpenFile(StorePath path, BackingOpenMode mode);
    void CreateDirectory(StorePath path, UnixMode mode);
    void DeleteFile(StorePath path);
    void DeleteDirectory(StorePath path);
    void Rename(StorePath from, StorePath to, bool replace);
    void CreateHardLink(StorePath existing, StorePath newPath);
    void SetMode(StorePath path, UnixMode mode);
    void SetOwner(StorePath path, int uid, int gid);
    void SetTimes(StorePath path, DateTime? lastAccessUtc, DateTime? lastWriteUtc);
    byte[]? GetXattr(StorePath path, string name);
    void SetXattr(StorePath path, string name, ReadOnlySpan<byte> value);
    bool RemoveXattr(StorePath path, string name);
    IReadOnlyList<string> ListXattrs(StorePath path);
    void SyncDirectory(StorePath path);
    BackingStatistics GetStatistics(StorePath root);
    /// <summary>The whole-file-system flush of the folder at <paramref name="root"/>, or null where the system
    /// has none; throws (naming the folder) when it exists but the folder cannot be opened for it.</summary>
    IFileSystemFlush? OpenFileSystemFlush(StorePath root);
    IDisposable AcquireExclusiveLock(StorePath path);
}
