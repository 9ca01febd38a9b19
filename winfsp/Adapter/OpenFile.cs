using Layered.Fsd;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// The file context of one WinFsp open: the engine handle, and the file's index number at open, which tells a
/// delete at cleanup whether the name still denotes the same file. Setting or deleting a reparse point replaces
/// the engine object behind the name (a file or directory becomes a symlink, or back), so the open moves to the
/// new object: <see cref="Replace"/>. WinFsp serves those FSCTLs with the file node locked exclusively, so no
/// other callback of this open runs meanwhile; the fields are volatile for the opens of other threads that follow.
/// </summary>
public sealed class OpenFile
{
    private volatile FileHandle _handle;
    private long _indexNumber;

    internal OpenFile(FileHandle handle, ulong indexNumber)
    {
        _handle = handle;
        _indexNumber = (long)indexNumber;
    }

    public FileHandle Handle => _handle;
    public ulong IndexNumber => (ulong)Interlocked.Read(ref _indexNumber);
    public bool IsDirectory => Handle.IsDirectory;
    public bool IsSymlink => Handle.Type == NodeType.Symlink;

    /// <summary>Moves this open to <paramref name="handle"/>; returns the handle it had, for the caller to release.</summary>
    internal FileHandle Replace(FileHandle handle, ulong indexNumber)
    {
        Interlocked.Exchange(ref _indexNumber, (long)indexNumber);
        return Interlocked.Exchange(ref _handle, handle);
    }
}
