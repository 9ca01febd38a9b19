namespace Layered.Fsd.Nodes;

/// <summary>
/// The open (and not yet checkpointed) nodes, keyed by backing inode so hard links share one node.
/// Its monitor is taken after the namespace locks and before any node's monitor.
/// </summary>
internal sealed class NodeTable
{
    private readonly Dictionary<ulong, FileNode> _nodes = new();

    public object Sync => _nodes;

    public int Count
    {
        get { lock (_nodes) return _nodes.Count; }
    }

    /// <summary>Call with <see cref="Sync"/> held.</summary>
    public FileNode? FindLocked(ulong inode) => _nodes.TryGetValue(inode, out var n) ? n : null;

    public FileNode? Find(ulong inode)
    {
        lock (_nodes) return FindLocked(inode);
    }

    /// <summary>Call with <see cref="Sync"/> held.</summary>
    public void AddLocked(FileNode node) => _nodes[node.Inode] = node;

    public void Remove(FileNode node)
    {
        lock (_nodes)
        {
            if (_nodes.TryGetValue(node.Inode, out var n) && ReferenceEquals(n, node))
                _nodes.Remove(node.Inode);
        }
    }

    public List<FileNode> Snapshot()
    {
        lock (_nodes) return new List<FileNode>(_nodes.Values);
    }

    /// <summary>After a rename of <paramref name="from"/> to <paramref name="to"/>: every node named at or below
    /// <paramref name="from"/> is now named below <paramref name="to"/>. Caller holds the rename's namespace locks.</summary>
    public void RebasePaths(string from, string to)
    {
        lock (_nodes)
        {
            foreach (var n in _nodes.Values)
            {
                if (n.Path is { } p && !n.IsOrphan && FsPath.IsSelfOrDescendant(p, from))
                {
                    n.Path = FsPath.Rebase(p, from, to);
                    n.NameDurable = false;
                }
            }
        }
    }
}
