using Layered.Backing;

namespace Layered.Fsd;

// Directory listing: a stable order (ordinal by name) that resumes after a marker, so a listing split over
// several calls (WinFsp markers, FUSE offsets) neither repeats nor skips a name that stayed.
public sealed partial class Volume
{
    /// <summary>
    /// Lists the directory at <paramref name="path"/>, in ordinal name order, starting after
    /// <paramref name="afterName"/> (null from the start), at most <paramref name="maxEntries"/> entries.
    /// With <paramref name="withSizes"/> false, sizes of files are not read (FUSE readdir needs only names and types).
    /// </summary>
    public FsStatus ReadDirectory(string path, string? afterName, int maxEntries, bool withSizes, List<DirectoryEntry> into)
    {
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            using var scope = Locks.Lookup(p);
            var sp = StorePath(p);
            var self = Store.TryGetEntry(sp);
            if (self is null)
                return FsStatus.NotFound;
            if (self.Kind != BackingEntryKind.Directory)
                return FsStatus.NotADirectory;
            var entries = Store.ListDirectory(sp);
            var names = new List<(string Plain, BackingEntry Entry)>(entries.Count);
            foreach (var e in entries)
            {
                var plain = Names.ToPlainName(sp, e.Name);
                if (plain is not null && (afterName is null || string.CompareOrdinal(plain, afterName) > 0))
                    names.Add((plain, e));
            }
            names.Sort((a, b) => string.CompareOrdinal(a.Plain, b.Plain));
            foreach (var (plain, e) in names)
            {
                if (into.Count >= maxEntries)
                    break;
                var childStore = FsPath.Combine(sp, e.Name);
                FileInformation info;
                try
                {
                    info = withSizes ? InfoOf(childStore, e) : QuickInfo(childStore, e);
                }
                catch (Exception ex) when (TryMapException(ex, childStore, out _))
                {
                    // One damaged file must not hide the rest of the directory: list it as an empty file;
                    // opening it reports the damage.
                    info = QuickInfo(childStore, e);
                }
                into.Add(new DirectoryEntry(plain, info));
            }
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>Name-level information without reading the file (type from the backing kind; sizes zero).</summary>
    private FileInformation QuickInfo(string storePath, BackingEntry e)
    {
        var node = Nodes.Find(e.Inode);
        var type = node?.Type ?? (e.Kind == BackingEntryKind.Directory ? NodeType.Directory : NodeType.File);
        return new FileInformation(type, e.Inode, 0, 0, 0,
            type == NodeType.Directory ? NtAttributes.Directory : NtAttributes.Normal,
            e.Mode, e.Uid, e.Gid, e.LinkCount, e.ChangeUtc, e.LastAccessUtc, e.LastWriteUtc, e.ChangeUtc);
    }
}
