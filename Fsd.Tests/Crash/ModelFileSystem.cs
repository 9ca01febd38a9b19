using Layered.Fsd;

namespace Layered.Crash.Tests;

/// <summary>One object of the model: hard links share it (the reference is the identity).</summary>
public sealed class ModelNode(int id, NodeType kind)
{
    public readonly int Id = id;
    public readonly NodeType Kind = kind;
    public byte[] Data = [];
    public string Target = "";
    public uint Mode = kind == NodeType.Directory ? 0b111_101_101u : 0b110_100_100u;

    public ModelNode Clone() => new(Id, Kind) { Data = (byte[])Data.Clone(), Target = Target, Mode = Mode };
}

/// <summary>
/// The sequential model the harness checks the engine against: paths to shared nodes. It knows the POSIX
/// meaning of each workload operation and nothing of chunks, journals or headers.
/// </summary>
public sealed class ModelFileSystem
{
    private int _nextId = 1;
    public Dictionary<string, ModelNode> Paths { get; } = new(StringComparer.Ordinal);
    /// <summary>Files unlinked while held open: still written through their handle, no longer named.</summary>
    public Dictionary<string, ModelNode> Held { get; } = new(StringComparer.Ordinal);

    public ModelNode NewNode(NodeType kind) => new(_nextId++, kind);

    public ModelNode Get(string path) => Paths.TryGetValue(path, out var n) ? n : throw new InvalidOperationException($"model: no '{path}'");

    public static void WriteAt(ModelNode n, long offset, ReadOnlySpan<byte> data)
    {
        long end = offset + data.Length;
        if (end > n.Data.Length)
            Array.Resize(ref n.Data, (int)end);
        data.CopyTo(n.Data.AsSpan((int)offset));
    }

    public static void Truncate(ModelNode n, long size) => Array.Resize(ref n.Data, (int)size);

    public void Rename(string from, string to)
    {
        var moving = Paths.Where(kv => kv.Key == from || kv.Key.StartsWith(from + "/", StringComparison.Ordinal)).ToList();
        if (Paths.TryGetValue(to, out var old) && old.Kind == NodeType.Directory)
            Paths.Remove(to);
        Paths.Remove(to);
        foreach (var (p, _) in moving)
            Paths.Remove(p);
        foreach (var (p, n) in moving)
            Paths[to + p[from.Length..]] = n;
    }

    /// <summary>A deep copy that keeps hard links shared.</summary>
    public ModelSnapshot Snapshot()
    {
        var copies = new Dictionary<ModelNode, ModelNode>(ReferenceEqualityComparer.Instance);
        ModelNode Copy(ModelNode n) => copies.TryGetValue(n, out var c) ? c : copies[n] = n.Clone();
        return new ModelSnapshot(
            Paths.ToDictionary(kv => kv.Key, kv => Copy(kv.Value), StringComparer.Ordinal),
            Held.Values.Select(Copy).ToDictionary(n => n.Id));
    }
}

/// <summary>The model after one operation.</summary>
public sealed record ModelSnapshot(IReadOnlyDictionary<string, ModelNode> Paths, IReadOnlyDictionary<int, ModelNode> HeldById)
{
    /// <summary>The node with this id, named or held.</summary>
    public ModelNode? Node(int id)
    {
        foreach (var n in Paths.Values)
            if (n.Id == id) return n;
        return HeldById.GetValueOrDefault(id);
    }

    /// <summary>Names, kinds, symlink targets, modes and hard-link groups: what persists in order on the backing
    /// store's metadata, so a crash leaves exactly the namespace of some operation boundary.</summary>
    public string Namespace()
    {
        var groups = Paths.Where(kv => kv.Value.Kind == NodeType.File)
            .GroupBy(kv => kv.Value.Id)
            .ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).Order(StringComparer.Ordinal).First());
        return string.Join("\n", Paths.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.Kind switch
        {
            NodeType.Directory => $"d {kv.Key} {Convert.ToString(kv.Value.Mode, 8)}",
            NodeType.Symlink => $"l {kv.Key} -> {kv.Value.Target}",
            _ => $"f {kv.Key} {Convert.ToString(kv.Value.Mode, 8)} group {groups[kv.Value.Id]}",
        }));
    }
}
