using System.Text;
using Layered.Backing;
using Layered.Crypto;
using Layered.Journal;

namespace Layered.Fsd;

// Extended attributes: names kept as they are (like file names), values sealed with the vault's blob cipher,
// bound to the file's id and the attribute's name so a value cannot be moved to another file or name.
public sealed partial class Volume
{
    private const string UserXattrPrefix = "lx.";

    public FsStatus GetXattr(string path, string name, out byte[]? value)
    {
        value = null;
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            using var scope = Locks.Lookup(FsPath.Parent(p));
            // The value first: most questions are for attributes a file does not have (the kernel's
            // security.capability before a new file's first write, ls -l's security.selinux and ACL per entry), and
            // the backing getxattr answers those, and a missing file, alone; the owner's id is looked up only to
            // open a value that is there.
            var sealedValue = Store.GetXattr(StorePath(p), UserXattrPrefix + name);
            if (sealedValue is null)
                return FsStatus.NoSuchAttribute;
            var (sp, owner) = XattrOwner(p);
            value = Vault.Blobs.Open(owner, Encoding.UTF8.GetBytes(name), sealedValue, "/" + sp);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>setxattr; <paramref name="mustExist"/> / <paramref name="mustNotExist"/> are XATTR_REPLACE / XATTR_CREATE.</summary>
    public FsStatus SetXattr(string path, string name, ReadOnlySpan<byte> value, bool mustExist = false, bool mustNotExist = false)
    {
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            CheckWritable(p);
            if (name.Length == 0 || name.Length > 255)
                return FsStatus.InvalidParameter;
            using var scope = Locks.Change(FsPath.Parent(p));
            var (sp, owner) = XattrOwner(p);
            bool exists = Store.GetXattr(sp, UserXattrPrefix + name) is not null;
            if (mustExist && !exists)
                return FsStatus.NoSuchAttribute;
            if (mustNotExist && exists)
                return FsStatus.AlreadyExists;
            var sealedValue = Vault.Blobs.Seal(owner, Encoding.UTF8.GetBytes(name), value);
            Append(new SetXattrRecord(owner.ToUInt128(), sp, name, sealedValue));
            Store.SetXattr(sp, UserXattrPrefix + name, sealedValue);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    public FsStatus RemoveXattr(string path, string name)
    {
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            CheckWritable(p);
            using var scope = Locks.Change(FsPath.Parent(p));
            var (sp, owner) = XattrOwner(p);
            if (Store.GetXattr(sp, UserXattrPrefix + name) is null)
                return FsStatus.NoSuchAttribute;
            Append(new SetXattrRecord(owner.ToUInt128(), sp, name, null));
            Store.RemoveXattr(sp, UserXattrPrefix + name);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    public FsStatus ListXattrs(string path, out IReadOnlyList<string> names)
    {
        names = [];
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            using var scope = Locks.Lookup(FsPath.Parent(p));
            var sp = StorePath(p);
            if (Store.TryGetEntry(sp) is null)
                return FsStatus.NotFound;
            var list = new List<string>();
            foreach (var n in Store.ListXattrs(sp))
                if (n.StartsWith(UserXattrPrefix, StringComparison.Ordinal))
                    list.Add(n[UserXattrPrefix.Length..]);
            names = list;
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>Directories have no header and so no id of their own: their values are bound to this fixed id
    /// (and to the attribute's name). A value can thus be moved between directories, not onto a file.</summary>
    private static readonly FileId DirectoryXattrOwner = FileId.FromUInt128(1);

    /// <summary>The store path and the id a value is bound to (a file's id; see <see cref="DirectoryXattrOwner"/>).</summary>
    private (string StorePath, FileId Owner) XattrOwner(string p)
    {
        var sp = StorePath(p);
        var entry = Store.TryGetEntry(sp) ?? throw new FsException(FsStatus.NotFound, p, "No such file or directory");
        if (entry.Kind != BackingEntryKind.File)
            return (sp, DirectoryXattrOwner);
        var node = Nodes.Find(entry.Inode);
        if (node is not null)
            return (sp, node.FileId);
        using var file = Store.OpenFile(sp, BackingOpenMode.OpenRead);
        return (sp, ReadHeader(file, sp, out _).FileId);
    }
}
