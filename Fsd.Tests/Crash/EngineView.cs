using Layered.Fsd;

namespace Layered.Crash.Tests;

/// <summary>What a mounted volume shows, in the model's terms (hard links share a node by inode), plus every
/// problem met while reading it (a file that fails to read is a chunk failing authentication).</summary>
public static class EngineView
{
    public static ModelSnapshot Capture(Volume volume, List<string> problems)
    {
        var paths = new Dictionary<string, ModelNode>(StringComparer.Ordinal);
        var byInode = new Dictionary<ulong, ModelNode>();
        Walk(volume, "", paths, byInode, problems);
        return new ModelSnapshot(paths, new Dictionary<int, ModelNode>());
    }

    private static void Walk(Volume volume, string dir, Dictionary<string, ModelNode> paths, Dictionary<ulong, ModelNode> byInode, List<string> problems)
    {
        var entries = new List<DirectoryEntry>();
        var st = volume.ReadDirectory(dir, null, int.MaxValue, withSizes: true, entries);
        if (st != FsStatus.Success)
        {
            problems.Add($"cannot list '/{dir}': {st}");
            return;
        }
        foreach (var e in entries)
        {
            var path = dir.Length == 0 ? e.Name : dir + "/" + e.Name;
            var info = e.Info;
            switch (info.Type)
            {
                case NodeType.Directory:
                    paths[path] = new ModelNode((int)info.InodeNumber, NodeType.Directory) { Mode = (uint)info.Mode & 0xFFF };
                    Walk(volume, path, paths, byInode, problems);
                    break;
                case NodeType.Symlink:
                    volume.ReadSymlink(path, out var target);
                    paths[path] = new ModelNode(-1, NodeType.Symlink) { Target = target };
                    break;
                default:
                    if (!byInode.TryGetValue(info.InodeNumber, out var node))
                    {
                        node = byInode[info.InodeNumber] = new ModelNode((int)info.InodeNumber, NodeType.File) { Mode = (uint)info.Mode & 0xFFF };
                        node.Data = ReadAll(volume, path, problems);
                    }
                    paths[path] = node;
                    break;
            }
        }
    }

    private static byte[] ReadAll(Volume volume, string path, List<string> problems)
    {
        var st = volume.Create(path, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Read }, out var h, out var info, out _);
        if (st != FsStatus.Success)
        {
            problems.Add($"cannot open '/{path}': {st}");
            return [];
        }
        try
        {
            var data = new byte[info.EndOfFile];
            int done = 0;
            while (done < data.Length)
            {
                st = volume.Read(h!, done, data.AsSpan(done), out int n);
                if (st != FsStatus.Success || n == 0)
                {
                    problems.Add($"cannot read '/{path}' at {done}: {st}");
                    break;
                }
                done += n;
            }
            return data;
        }
        finally
        {
            volume.Release(h!);
        }
    }
}
