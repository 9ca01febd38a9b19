namespace Layered.WinFsp.Hosting;

/// <summary>
/// What a mount may choose; everything else in the volume parameters is fixed by
/// <see cref="VolumeParameters"/> (and explained in docs/windows.md).
/// </summary>
public sealed record VolumeOptions
{
    /// <summary>
    /// UNC prefix for a network volume, one leading backslash: <c>\layered\NAME</c> (what the WinFsp
    /// launcher passes as %1 for <c>net use X: \\layered\NAME</c>). Null or empty: a disk volume.
    /// </summary>
    public string? Prefix { get; init; }

    /// <summary>The name Windows reports as the file system (at most 15 characters).</summary>
    public string FileSystemName { get; init; } = "Layered";

    /// <summary>The vault's volume serial number.</summary>
    public uint VolumeSerialNumber { get; init; }

    /// <summary>When the vault was created (UTC).</summary>
    public DateTime VolumeCreationTimeUtc { get; init; } = DateTime.UnixEpoch;

    /// <summary>
    /// Turn on the Windows cache manager (FileInfoTimeout = infinite, the only value that enables data
    /// caching). Safe for Layered because the mounted volume owns its backing folder exclusively.
    /// False gives a 1-second metadata cache and no data cache.
    /// </summary>
    public bool EnableCaching { get; init; } = true;

    /// <summary>A read-only mount.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// Serve reparse points (symlinks) through the reparse slots. Layered mounts turn it on
    /// (WinFspMountRequest.HostOptions); off, WinFsp refuses every reparse FSCTL itself.
    /// </summary>
    public bool ReparsePoints { get; init; }

    /// <summary>True when this is a network volume (a non-empty <see cref="Prefix"/>).</summary>
    public bool IsNetwork => !string.IsNullOrEmpty(Prefix);
}
