using System.Security.Cryptography;
using System.Text;

namespace Layered.Backing;

/// <summary>
/// A comparable picture of a whole store: for every path, its kind, size, content hash, mode, owner,
/// link count, hard-link group and xattrs. Inode numbers are replaced by the order in which each inode
/// is first met, and times are left out, so two stores built by the same operations compare equal
/// (used to check replays and crash states).
/// </summary>
public sealed class BackingTree : IEquatable<BackingTree>
{
    private BackingTree(IReadOnlyList<string> lines) => Lines = lines;

    /// <summary>One line per entry, sorted by path (ordinal).</summary>
    public IReadOnlyList<string> Lines { get; }

    public static BackingTree Capture(IBackingStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var lines = new List<string>();
        var linkGroups = new Dictionary<ulong, int>();
        Visit(store, "", lines, linkGroups);
        return new BackingTree(lines);
    }

    private static void Visit(IBackingStore store, string directory, List<string> lines, Dictionary<ulong, int> linkGroups)
    {
        foreach (var entry in store.ListDirectory(directory).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var path = BackingPath.Combine(directory, entry.Name);
            var line = new StringBuilder();
            line.Append(entry.Kind switch
            {
                BackingEntryKind.File => "file ",
                BackingEntryKind.Directory => "dir  ",
                BackingEntryKind.Symlink => "link ",
                _ => "other ",
            });
            line.Append(path).Append(" mode=").Append(Convert.ToString((int)entry.Mode, 8))
                .Append(" owner=").Append(entry.Uid).Append(':').Append(entry.Gid);
            if (entry.Kind == BackingEntryKind.File)
            {
                if (!linkGroups.TryGetValue(entry.Inode, out var group))
                {
                    group = linkGroups.Count + 1;
                    linkGroups.Add(entry.Inode, group);
                }
                line.Append(" size=").Append(entry.Length).Append(" links=").Append(entry.LinkCount)
                    .Append(" inode#").Append(group).Append(" sha256=").Append(Hash(store, path));
            }
            foreach (var name in store.ListXattrs(path).Order(StringComparer.Ordinal))
            {
                line.Append(" xattr:").Append(name).Append('=').Append(Convert.ToHexString(store.GetXattr(path, name) ?? []));
            }
            lines.Add(line.ToString());
            if (entry.Kind == BackingEntryKind.Directory)
            {
                Visit(store, path, lines, linkGroups);
            }
        }
    }

    private static string Hash(IBackingStore store, string path)
    {
        using var file = store.OpenFile(path, BackingOpenMode.OpenRead);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long offset = 0;
        int read;
        while ((read = file.Read(offset, buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            offset += read;
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }

    public bool Equals(BackingTree? other) => other is not null && Lines.SequenceEqual(other.Lines, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as BackingTree);

    public override int GetHashCode() => Lines.Count == 0 ? 0 : HashCode.Combine(Lines.Count, Lines[0], Lines[^1]);

    /// <summary>All lines, one per entry, so a failed comparison shows the difference.</summary>
    public override string ToString() => string.Join('\n', Lines);
}
