namespace Layered.Fsd;

/// <summary>
/// One open of a file or directory. Holds what belongs to this open only: its access, its delete-on-close
/// flag and where it is in its life (open, cleaned up, closed). All shared state is on the node.
/// </summary>
public sealed class FileHandle
{
    private static long s_nextId;

    internal FileHandle(Nodes.FileNode node, FileAccess2 access, bool deleteOnClose)
    {
        Node = node;
        Access = access;
        DeleteOnClose = deleteOnClose;
        Id = Interlocked.Increment(ref s_nextId);
    }

    internal Nodes.FileNode Node { get; }
    public long Id { get; }
    public FileAccess2 Access { get; }
    public bool DeleteOnClose { get; internal set; }
    public bool IsDirectory => Node.Type == NodeType.Directory;
    public NodeType Type => Node.Type;
    internal bool CleanedUp { get; set; }
    internal bool Closed { get; set; }
    /// <summary>The path the handle was opened by, for messages.</summary>
    public string OpenedPath { get; internal init; } = "";
}
