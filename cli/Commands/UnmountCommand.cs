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
            return vault is null ? Unmounted(context.Console, target) : AwaitServer(context.Console, target, vault, ServerExitWait);
        });
        return command;
    }

    private static int Unmounted(CliConsole console, string target)
    {
        console.Output.WriteLine($"Unmounted {target}");
        return ExitCodes.Success;
    }

    /// <summary>After the kernel detached <paramref name="target"/>: waits until the process serving
    /// <paramref name="vault"/> has let go of it, and says so when it does not or when that cannot be known.</summary>
    internal static int AwaitServer(CliConsole console, string target, string vault, TimeSpan timeout)
    {
        bool released;
        try
        {
            released = VaultLockWait.WaitForRelease(vault, timeout, TimeSpan.FromSeconds(1), () =>
                console.Error.WriteLine($"Unmounted {target}; waiting for the process serving '{vault}' to commit its journal and exit"));
        }
        catch (Exception e) when (e is BackingStoreException or IOException or UnauthorizedAccessException)
        {
            // The vault could be probed before the unmount (ServedVault) but no longer can (moved, removed, its disk
            // gone): the unmount happened; whether the server finished cannot be known from here.
            console.Error.WriteLine($"layered: unmounted {target}, but cannot tell whether the process serving '{vault}' " +
                $"has let go of it: {e.Message}");
            return ExitCodes.IoError;
        }
        if (!released)
        {
            console.Error.WriteLine($"layered: unmounted {target}, but the process serving '{vault}' still holds it after " +
                $"{Describe(timeout)}; the vault is consistent once that process exits (or after `layered recover '{vault}'`)");
            return ExitCodes.IoError;
        }
        return Unmounted(console, target);
    }

    private static string Describe(TimeSpan wait) =>
        wait >= TimeSpan.FromMinutes(1) ? $"{wait.TotalMinutes:0.#} minutes" : $"{wait.TotalSeconds:0.#} seconds";

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
