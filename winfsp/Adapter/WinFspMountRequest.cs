using Layered.WinFsp.Hosting;
using Layered.WinFsp.Launcher;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// What `layered mount` on Windows is asked to mount: a vault folder, where, and (for a network volume) the
/// \Server\Share prefix. Built from the command line a person types (VAULT MOUNTPOINT) or from the two
/// arguments the WinFsp launcher substitutes (`mount --launcher %1 %2`).
/// </summary>
public sealed record WinFspMountRequest(string VaultPath, MountPoint MountPoint, string? Prefix, bool ByLauncher)
{
    /// <summary>`layered mount VAULT [MOUNTPOINT]`: a disk volume; no mount point means the first free drive.</summary>
    /// <exception cref="ArgumentException">The vault or mount point is malformed (the message names it).</exception>
    public static WinFspMountRequest FromCommandLine(string vaultPath, string? mountPoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vaultPath);
        return new WinFspMountRequest(vaultPath, MountPoint.Parse(mountPoint), null, ByLauncher: false);
    }

    /// <summary>
    /// `layered mount --launcher %1 %2`. A network name must carry the vault's path in the X$ form
    /// (\\layered\C$\Users\me\vault); a bare instance name (\\layered\NAME) has no vault to mount and is refused.
    /// </summary>
    /// <exception cref="ArgumentException">The launcher's arguments are malformed (the message names them).</exception>
    public static WinFspMountRequest FromLauncher(string first, string second)
    {
        var arguments = LauncherArguments.Parse(first, second);
        if (arguments.VaultPath is null)
        {
            throw new ArgumentException(
                $"Launcher argument '{first}' names instance '{arguments.InstanceName}' but no vault; use the vault's path in the X$ form, e.g. \\\\layered\\C$\\Users\\me\\vault.",
                nameof(first));
        }
        return new WinFspMountRequest(arguments.VaultPath, arguments.MountPoint ?? MountPoint.Parse(null), arguments.Prefix, ByLauncher: true);
    }

    /// <summary>The WinFsp volume options for this request. Layered volumes serve symlinks as reparse points
    /// (docs/windows.md, "Symlinks").</summary>
    public Hosting.VolumeOptions HostOptions(bool readOnly) => new() { Prefix = Prefix, ReadOnly = readOnly, ReparsePoints = true };
}
