namespace Layered.Fsd;

/// <summary>
/// The seam between plaintext names and the names stored in the backing folder. Today names are stored as
/// they are (<see cref="PlainNameTransform"/>); name encryption plugs in here without touching the operations.
/// </summary>
public interface INameTransform
{
    /// <summary>The backing-store path for a normalized plaintext path.</summary>
    string ToStorePath(string plainPath);

    /// <summary>The plaintext name of a stored directory entry, or null when the entry is not part of the
    /// plaintext namespace (the vault's own folder, temporaries).</summary>
    string? ToPlainName(string storeDirectory, string storeName);
}

/// <summary>Names stored as they are.</summary>
public sealed class PlainNameTransform : INameTransform
{
    public string ToStorePath(string plainPath) => plainPath;

    public string? ToPlainName(string storeDirectory, string storeName) =>
        storeDirectory.Length == 0 && storeName == FsPath.ReservedRootName ? null : storeName;
}
