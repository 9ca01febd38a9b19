using System.CommandLine;
using Layered.Fuse;

namespace Layered.Cli.Commands;

/// <summary>`layered unmount MOUNTPOINT`: unmounts; the serving process then commits its journal and exits.</summary>
public sealed class UnmountCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Where the vault is mounted." };
        var command = new Command("unmount", "Unmount a mounted vault.") { mountPoint };
        command.SetAction(parsed =>
        {
            var target = Path.GetFullPath(parsed.GetValue(mountPoint)!);
            FuseUnmounter.Unmount(target);
            context.Console.Output.WriteLine($"Unmounted {target}");
            return ExitCodes.Success;
        });
        return command;
    }
}
