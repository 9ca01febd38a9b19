namespace Layered.Fuse;

/// <summary>The checks made before mounting, each failing with one clear line.</summary>
public static class MountPointValidator
{
    public const string FuseDevice = "/dev/fuse";

    /// <summary>Returns the absolute mount point path or throws <see cref="FuseMountException"/>.</summary>
    public static string Validate(string mountPoint)
    {
        if (!File.Exists(FuseDevice))
        {
            throw new FuseMountException(FuseMountError.DeviceMissing,
                $"FUSE is not available: {FuseDevice} does not exist (load the kernel module with 'modprobe fuse', or give the container the device).");
        }

        if (string.IsNullOrWhiteSpace(mountPoint))
        {
            throw new FuseMountException(FuseMountError.MountPointMissing, "No mount point was given.");
        }

        string fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint));
        if (fullPath.Length == 0)
        {
            fullPath = "/";
        }

        // Checked first: a dead FUSE mount makes stat fail with ENOTCONN, which would otherwise read as "missing".
        if (MountTable.Find(fullPath) is { } existing)
        {
            throw new FuseMountException(FuseMountError.MountPointInUse,
                $"Mount point '{fullPath}' is already a mount point ({existing.FileSystemType} from {existing.Source}); unmount it first (fusermount3 -u '{fullPath}').");
        }

        if (File.Exists(fullPath))
        {
            throw new FuseMountException(FuseMountError.MountPointNotDirectory, $"Mount point '{fullPath}' is not a directory.");
        }

        if (!Directory.Exists(fullPath))
        {
            throw new FuseMountException(FuseMountError.MountPointMissing, $"Mount point '{fullPath}' does not exist.");
        }

        if (Directory.EnumerateFileSystemEntries(fullPath).Any())
        {
            throw new FuseMountException(FuseMountError.MountPointNotEmpty,
                $"Mount point '{fullPath}' is not empty; mounting over it would hide its files.");
        }

        return fullPath;
    }
}
