namespace Layered.Fsd;

/// <summary>What `layered fsck` found about one file that is not wholly readable.</summary>
/// <param name="Path">The file's path in the plaintext view ("/" separated, from the root).</param>
/// <param name="Size">Its end of file (0 when the header could not be read).</param>
/// <param name="BadChunks">Indices of the chunks below VDL that are missing or fail authentication.</param>
/// <param name="Problem">Why the file as a whole failed (e.g. its header), or null when only chunks did.</param>
public sealed record DamagedFile(string Path, long Size, IReadOnlyList<long> BadChunks, string? Problem)
{
    public override string ToString() =>
        Problem is not null ? $"/{Path}: {Problem}" : $"/{Path}: chunks {string.Join(", ", BadChunks)} of {Size} bytes unreadable";
}

/// <summary>The outcome of a whole-vault check, and of its repair when one was asked for. Damaged files already in
/// /lost+found (moved there by an earlier repair) are listed as quarantined, not as damage.</summary>
public sealed record VaultCheckReport(
    int FilesChecked,
    long ChunksChecked,
    IReadOnlyList<DamagedFile> Damaged,
    IReadOnlyList<string> Repairs,
    IReadOnlyList<DamagedFile> Quarantined)
{
    public bool Clean => Damaged.Count == 0;
}

/// <summary>Progress of a check: files done out of the files found.</summary>
public readonly record struct VaultCheckProgress(int FilesDone, int FilesTotal, string CurrentPath);
