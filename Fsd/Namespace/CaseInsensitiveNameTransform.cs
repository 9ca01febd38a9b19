using Layered.Backing;

namespace Layered.Fsd;

/// <summary>
/// Case-insensitive, case-preserving names over a backing folder (Windows semantics for the WinFsp host):
/// each component of a plaintext path is matched against the stored names of its directory, an exact match
/// first, else the first stored name equal ignoring case (ordinal, invariant upper-casing), so "dir/FILE.TXT"
/// reaches "Dir/File.txt". A component with no stored match (a name about to be created) keeps the caller's
/// case. The result is the stored path with its real case: hosts return it as the normalized name.
/// Two stored names that differ only in case (made through another host) are both reachable by their exact
/// names; a lookup in another case reaches the ordinally smallest of them.
/// </summary>
public sealed class CaseInsensitiveNameTransform : INameTransform
{
    private readonly IBackingStore _store;
    private readonly bool _storeIsCaseSensitive;

    /// <param name="store">The backing store the names live in.</param>
    /// <param name="storeIsCaseSensitive">True when the store itself compares names exactly (ext4, the in-memory
    /// store): an exact hit then proves the stored case and no listing is needed. False for NTFS, where a hit says
    /// nothing about the stored case.</param>
    public CaseInsensitiveNameTransform(IBackingStore store, bool storeIsCaseSensitive)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _storeIsCaseSensitive = storeIsCaseSensitive;
    }

    public string ToStorePath(string plainPath)
    {
        if (plainPath.Length == 0)
            return plainPath;
        if (_storeIsCaseSensitive && _store.TryGetEntry(plainPath) is not null)
            return plainPath;
        var components = plainPath.Split('/');
        string resolved = "";
        for (int i = 0; i < components.Length; i++)
        {
            string? stored = FindStoredName(resolved, components[i]);
            if (stored is null)
            {
                // Missing here: the rest cannot exist either; keep the caller's case (the operation reports it).
                string rest = string.Join('/', components[i..]);
                return resolved.Length == 0 ? rest : resolved + "/" + rest;
            }
            resolved = FsPath.Combine(resolved, stored);
        }
        return resolved;
    }

    public string? ToPlainName(string storeDirectory, string storeName) =>
        storeDirectory.Length == 0 && storeName.Equals(FsPath.ReservedRootName, StringComparison.OrdinalIgnoreCase) ? null : storeName;

    /// <summary>The stored name in <paramref name="storeDirectory"/> that <paramref name="name"/> denotes, or null.</summary>
    private string? FindStoredName(string storeDirectory, string name)
    {
        if (_storeIsCaseSensitive && _store.TryGetEntry(FsPath.Combine(storeDirectory, name)) is not null)
            return name;
        var directory = _store.TryGetEntry(storeDirectory);
        if (directory is null || directory.Kind != BackingEntryKind.Directory)
            return null;
        IReadOnlyList<BackingEntry> entries;
        try
        {
            entries = _store.ListDirectory(storeDirectory);
        }
        catch (BackingStoreException e) when (e.Error is BackingError.NotFound or BackingError.NotADirectory)
        {
            return null; // removed or replaced meanwhile: the operation itself reports it under its locks
        }
        string? match = null;
        foreach (var entry in entries)
        {
            if (string.Equals(entry.Name, name, StringComparison.Ordinal))
                return entry.Name;
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase) &&
                (match is null || string.CompareOrdinal(entry.Name, match) < 0))
                match = entry.Name;
        }
        return match;
    }
}
