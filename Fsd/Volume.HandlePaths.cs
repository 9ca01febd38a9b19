namespace Layered.Fsd;

// NT hosts address many operations to an open handle, not a name (ReadDirectory, GetSecurity, Rename of the
// opened file): the handle must follow its file through renames. The node's path is kept current by every
// rename under the namespace locks, so it is the answer.
public sealed partial class Volume
{
    /// <summary>
    /// The current path of the file <paramref name="handle"/> is open on (as stored, so with its real case), or
    /// null when its last name is gone (deleted, or unlinked while open and kept only as an orphan).
    /// </summary>
    public string? CurrentPath(FileHandle handle)
    {
        var node = handle.Node;
        lock (node.Sync)
        {
            if (handle.Closed || node.Deleted || node.IsOrphan)
                return null;
        }
        return node.Path;
    }
}
