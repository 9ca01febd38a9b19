using Layered.Fsd;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// The file context of one WinFsp open: the engine handle, and the file's index number at open, which tells a
/// delete at cleanup whether the name still denotes the same file.
/// </summary>
public sealed class OpenFile
{
    internal OpenFile(FileHandle handle, ulong indexNumber)
    {
        Handle = handle;
        IndexNumber = indexNumber;
    }

    public FileHandle Handle { get; }
    public ulong IndexNumber { get; }
    public bool IsDirectory => Handle.IsDirectory;
}
