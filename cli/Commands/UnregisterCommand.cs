using System.CommandLine;
using Layered.WinFsp.Interop;
using Layered.WinFsp.Launcher;

namespace Layered.Cli.Commands;

/// <summary>`layered unregister`: removes the WinFsp launcher record. Windows only; needs an elevated prompt.</summary>
public sealed class UnregisterCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var command = new Command("unregister", "Remove Layered's WinFsp launcher record (Windows, elevated).");
        command.SetAction(_ =>
        {
            if (!OperatingSystem.IsWindows())
                throw new PlatformNotSupportedException("layered unregister edits the WinFsp launcher's registry record and runs on Windows only");
            bool removed = LauncherRegistration.Unregister(new WindowsRegistry());
            context.Console.Output.WriteLine(removed ? "Removed the WinFsp launcher record" : "No WinFsp launcher record was registered");
            return ExitCodes.Success;
        });
        return command;
    }
}
