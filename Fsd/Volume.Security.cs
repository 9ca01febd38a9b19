using Layered.Journal;

namespace Layered.Fsd;

// NT security descriptors, stored per file: the self-relative descriptor bytes as the host gives them, sealed
// with the vault's blob cipher (bound to the file's id, like an xattr value) in one backing xattr, journaled
// with SetSecurityRecord (holding the sealed bytes) before the store changes. The engine does not interpret a
// descriptor: access checks are the host's (WinFsp runs them against what GetSecurity returns).
public sealed partial class Volume
{
    internal const string SecurityXattr = "layered.sd";
    private static readonly byte[] SecurityBlobContext = "nt-security-descriptor"u8.ToArray();

    /// <summary>The stored descriptor of the object at <paramref name="path"/>; null when none was ever stored.</summary>
    public FsStatus GetSecurity(string path, out byte[]? descriptor)
    {
        descriptor = null;
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            using var scope = Locks.Lookup(FsPath.Parent(p));
            if (Store.TryGetEntry(StorePath(p)) is null)
            {
                CheckParent(p);
                return FsStatus.NotFound;
            }
            descriptor = ReadSecurity(p);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>The stored descriptor of an open file (by its current name); null when none was stored.</summary>
    public FsStatus GetSecurity(FileHandle handle, out byte[]? descriptor)
    {
        descriptor = null;
        if (handle.Closed)
            return FsStatus.InvalidHandle;
        var path = CurrentPath(handle);
        if (path is null)
            return FsStatus.DeletePending;
        return GetSecurity(path, out descriptor);
    }

    /// <summary>Replaces the stored descriptor of the object at <paramref name="path"/> (the host merges first).</summary>
    public FsStatus SetSecurity(string path, ReadOnlySpan<byte> descriptor)
    {
        string p = "";
        try
        {
            p = FsPath.Normalize(path);
            CheckWritable(p);
            if (descriptor.IsEmpty)
                return FsStatus.InvalidParameter;
            using var scope = Locks.Change(FsPath.Parent(p));
            var (sp, owner) = XattrOwner(p);
            var sealedValue = Vault.Blobs.Seal(owner, SecurityBlobContext, descriptor);
            Append(new SetSecurityRecord(owner.ToUInt128(), sp, sealedValue));
            Store.SetXattr(sp, SecurityXattr, sealedValue);
            return FsStatus.Success;
        }
        catch (Exception e) when (TryMapException(e, p, out var status))
        {
            return status;
        }
    }

    /// <summary>Replaces the stored descriptor of an open file.</summary>
    public FsStatus SetSecurity(FileHandle handle, ReadOnlySpan<byte> descriptor)
    {
        if (handle.Closed)
            return FsStatus.InvalidHandle;
        var path = CurrentPath(handle);
        if (path is null)
            return FsStatus.DeletePending;
        return SetSecurity(path, descriptor);
    }

    private byte[]? ReadSecurity(string p)
    {
        var (sp, owner) = XattrOwner(p);
        var sealedValue = Store.GetXattr(sp, SecurityXattr);
        return sealedValue is null ? null : Vault.Blobs.Open(owner, SecurityBlobContext, sealedValue, "/" + sp);
    }
}
