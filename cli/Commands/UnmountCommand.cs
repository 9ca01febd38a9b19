using System.CommandLine;
using Layered.Backing;
using Layered.Cli.Infrastructure;
using Layered.Fuse;

namespace Layered.Cli.Commands;

/// <summary>`layered unmount MOUNTPOINT`: unmounts, then waits for the serving process to commit and checkpoint its
/// journal and let go of the vault (VaultLockWait), so the backing folder is complete when the command returns.</summary>
public sealed class UnmountCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where the vault is mounted." };
        var command = new Command("unmount", "Unmount a mounted vault.") { mountPoint };
        command.SetAction(parsed =>
        {
            var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(parsed.GetValue(mountPoint)!));
            string? vault = ServedVault(MountTable.Find(target));
            FuseUnmounter.Unmount(target);
            if (vault is not null && !VaultLockWait.WaitForRelease(vault, ServerExitWait, TimeSpan.FromSeconds(1), () =>
                    context.Console.Error.WriteLine($"Unmounted {target}; waiting for the process serving '{vault}' to commit its journal and exit")))
            {
                context.Console.Error.WriteLine($"layered: unmounted {target}, but the process serving '{vault}' still holds it after " +
                    $"{ServerExitWait.TotalMinutes:0} minutes; the vault is consistent once that process exits (or after `layered recover '{vault}'`)");
                return ExitCodes.IoError;
            }
            context.Console.Output.WriteLine($"Unmounted {target}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A checkpoint of a long journal can take a while; one that never ends is a hung process to report.</summary>
    private static readonly TimeSpan ServerExitWait = TimeSpan.FromMinutes(5);

    /// <summary>The vault a Layered mount serves (its mount table source), when it is a vault this user can probe the
    /// lock of; null for other mounts, whose unmount has nothing to wait for.</summary>
    private static string? ServedVault(MountEntry? entry)
    {
        if (entry is null || entry.FileSystemType != FuseMountOptions.DefaultFileSystemType || !Path.IsPathFullyQualified(entry.Source))
            return null;
        try
        {
            VaultLockWait.IsHeld(entry.Source);
            return entry.Source;
        }
        catch (Exception e) when (e is BackingStoreException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
