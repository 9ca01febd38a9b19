using Layered.WinFsp.Native;

namespace Layered.WinFsp.Hosting;

/// <summary>
/// Builds the FSP_FSCTL_VOLUME_PARAMS Layered mounts with. Each choice and its reason is in
/// docs/windows.md ("Volume parameters"); the short form is in the comments below.
/// </summary>
public static class VolumeParameters
{
    /// <summary>Matches the 4 KiB pages of the cache manager and Layered's default chunk size.</summary>
    public const ushort SectorSize = 4096;
    public const ushort SectorsPerAllocationUnit = 1;
    public const ushort MaxComponentLength = 255;

    /// <summary>
    /// Layered answers every request synchronously from local disk; the maximum (600 s, not the 300 s
    /// default) keeps a slow backing disk (a large re-encrypting truncate) from having IRPs cancelled.
    /// </summary>
    public const uint IrpTimeoutMs = 600_000;
    public const uint IrpCapacity = 1000;

    /// <summary>FileInfoTimeout = infinite: the only value that engages the cache manager.</summary>
    public const uint InfiniteTimeout = uint.MaxValue;

    /// <summary>Metadata cache without data cache, when caching is off.</summary>
    public const uint UncachedFileInfoTimeoutMs = 1000;

    /// <summary>Free space changes with every write; re-ask at most once a second.</summary>
    public const uint VolumeInfoTimeoutMs = 1000;

    public const string DiskDevice = "WinFsp.Disk";
    public const string NetworkDevice = "WinFsp.Net";

    /// <summary>The device WinFsp creates the volume on: network when there is a UNC prefix.</summary>
    public static string DevicePath(VolumeOptions options) => options.IsNetwork ? NetworkDevice : DiskDevice;

    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static FspVolumeParams Build(VolumeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidatePrefix(options.Prefix);

        var p = default(FspVolumeParams);
        p.Version = FspVolumeParams.V1Size;
        p.SectorSize = SectorSize;
        p.SectorsPerAllocationUnit = SectorsPerAllocationUnit;
        p.MaxComponentLength = MaxComponentLength;
        p.VolumeCreationTime = (ulong)options.VolumeCreationTimeUtc.ToFileTimeUtc();
        p.VolumeSerialNumber = options.VolumeSerialNumber;
        p.IrpTimeout = IrpTimeoutMs;
        p.IrpCapacity = IrpCapacity;
        p.FileInfoTimeout = options.EnableCaching ? InfiniteTimeout : UncachedFileInfoTimeoutMs;
        p.VolumeInfoTimeout = VolumeInfoTimeoutMs;
        p.VolumeInfoTimeoutValid = true;

        // Windows semantics: case-insensitive lookups, names kept in the case they were created with
        // (the adapter returns the real case as the normalized name).
        p.CaseSensitiveSearch = false;
        p.CasePreservedNames = true;
        p.UnicodeOnDisk = true;

        // Security descriptors are stored per file (encrypted) and enforced through GetSecurityByName.
        p.PersistentAcls = true;
        p.ReparsePoints = options.ReparsePoints;
        // Symlinks need no SeCreateSymbolicLinkPrivilege here (as on memfs): write access to the folder suffices.
        p.ReparsePointsAccessCheck = false;
        p.NamedStreams = false;
        p.ExtendedAttributes = false;
        p.HardLinks = false;
        p.ReadOnlyVolume = options.ReadOnly;

        // Request shaping: no Cleanup round trip for handles that changed nothing; flush and purge the
        // cache at the last Cleanup so Close arrives promptly and no dirty page outlives the handle.
        p.PostCleanupWhenModifiedOnly = true;
        p.FlushAndPurgeOnCleanup = true;

        // Every disposition reaches the engine, which keeps the delete flag on the file node (DESIGN §5).
        p.PostDispositionWhenNecessaryOnly = false;

        // POSIX delete and rename (FileDispositionInformationEx / FileRenameInformationEx): the engine
        // implements unlink-while-open with its orphan area.
        p.SupportsPosixUnlinkRename = true;

        // One context per open handle: an id in the managed context table.
        p.UmFileContextIsUserContext2 = true;
        p.UmFileContextIsFullContext = false;

        p.PrefixText = options.Prefix ?? string.Empty;
        p.FileSystemNameText = ValidateFileSystemName(options.FileSystemName);
        return p;
    }

    private static void ValidatePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return;
        }

        // WinFsp wants \Server\Share: one leading backslash and at least two components.
        string[] parts = prefix.TrimEnd('\\').Split('\\');
        bool wellFormed = prefix.StartsWith('\\') && !prefix.StartsWith(@"\\", StringComparison.Ordinal)
            && parts.Length >= 3 && parts.Skip(1).All(part => part.Length > 0);
        if (!wellFormed)
        {
            throw new ArgumentException(
                $"Volume prefix '{prefix}' is not of the form \\Server\\Share (one leading backslash, at least two components).", nameof(prefix));
        }

        if (prefix.Length > FspVolumeParams.PrefixChars - 1)
        {
            throw new ArgumentException(
                $"Volume prefix '{prefix}' is {prefix.Length} characters; WinFsp allows {FspVolumeParams.PrefixChars - 1}.", nameof(prefix));
        }
    }

    private static string ValidateFileSystemName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > FspVolumeParams.FileSystemNameChars - 1)
        {
            throw new ArgumentException(
                $"File system name '{name}' must have 1 to {FspVolumeParams.FileSystemNameChars - 1} characters.", nameof(name));
        }

        return name;
    }
}
