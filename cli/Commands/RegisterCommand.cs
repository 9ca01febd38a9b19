using System.CommandLine;
using Layered.WinFsp.Interop;
using Layered.WinFsp.Launcher;

namespace Layered.Cli.Commands;

/// <summary>`layered register`: writes the WinFsp launcher record (HKLM, 32-bit view, Services\layered) so that
/// `launchctl-x64 startWithSecret layered NAME VAULT X: PASSWORD` and `net use X: \\layered\...` mount vaults.
/// Windows only; needs an elevated prompt.</summary>
public sealed class RegisterCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var command = new Command("register", "Register Layered with the WinFsp launcher (Windows, elevated).");
        command.SetAction(_ =>
        {
            if (!OperatingSystem.IsWindows())
                throw new PlatformNotSupportedException("layered register writes the WinFsp launcher's registry record and runs on Windows only");
            var executable = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the layered executable");
            LauncherRegistration.Register(new WindowsRegistry(), new LauncherRecord { Executable = executable });
            context.Console.Output.WriteLine($"Registered '{LauncherRecord.DefaultClassName}' with the WinFsp launcher ({executable})");
            return ExitCodes.Success;
        });
        return command;
    }
}
