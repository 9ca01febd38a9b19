namespace Layered.WinFsp.Hosting;

/// <summary>What kind of mount point a <see cref="MountPoint"/> is (winfsp.md §1.5).</summary>
public enum MountPointKind
{
    /// <summary>"*:" (or "*"): the first free drive letter, searching Z: down to D:.</summary>
    AnyDrive,

    /// <summary>"X:": a DefineDosDevice drive, removed when the process dies.</summary>
    Drive,

    /// <summary>"\\.\X:": a Mount Manager drive (administrator).</summary>
    MountManagerDrive,

    /// <summary>A directory that must not exist yet; WinFsp creates it as a junction and removes it at unmount.</summary>
    Directory,
}

/// <summary>
/// A validated mount point string for FspFileSystemSetMountPoint. Parsing normalizes what users type
/// ("x:", "X:\", "*") into what WinFsp means ("X:", "*:") and rejects what WinFsp would fail on with a
/// less clear status.
/// </summary>
public sealed record MountPoint(MountPointKind Kind, string Text)
{
    /// <exception cref="ArgumentException">The text is not a usable mount point (the message says why).</exception>
    public static MountPoint Parse(string? text, bool networkVolume = false)
    {
        string value = (text ?? string.Empty).Trim();
        if (value.Length == 0 || value is "*" or "*:")
        {
            return new MountPoint(MountPointKind.AnyDrive, "*:");
        }

        // "X:", "X:\" and "X:/" all mean the drive; WinFsp treats only the exact two-character form
        // as a drive and would take "X:\" for a directory.
        if (value.Length <= 3 && char.IsAsciiLetter(value[0]) && value[1..].TrimEnd('\\', '/') == ":")
        {
            return new MountPoint(MountPointKind.Drive, char.ToUpperInvariant(value[0]) + ":");
        }

        if ((value.StartsWith(@"\\.\", StringComparison.Ordinal) || value.StartsWith(@"\\?\", StringComparison.Ordinal))
            && value.Length >= 6 && char.IsAsciiLetter(value[4]) && value[5] == ':')
        {
            return new MountPoint(MountPointKind.MountManagerDrive, value);
        }

        if (networkVolume)
        {
            throw new ArgumentException(
                $"Mount point '{value}': a network volume (with a \\Server\\Share prefix) can be mounted only on a drive letter.", nameof(text));
        }

        if (!Path.IsPathFullyQualified(value))
        {
            throw new ArgumentException(
                $"Mount point '{value}' is neither a drive (X:), '*' nor a full directory path.", nameof(text));
        }

        if (Directory.Exists(value) || File.Exists(value))
        {
            throw new ArgumentException(
                $"Mount point '{value}' already exists; WinFsp creates a directory mount point itself, so it must not exist.", nameof(text));
        }

        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(value));
        if (parent is null || !Directory.Exists(parent))
        {
            throw new ArgumentException(
                $"Mount point '{value}': its parent directory '{parent}' does not exist.", nameof(text));
        }

        return new MountPoint(MountPointKind.Directory, Path.TrimEndingDirectorySeparator(value));
    }

    public override string ToString() => Text;
}
