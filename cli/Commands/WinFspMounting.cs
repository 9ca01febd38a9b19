using System.Runtime.Versioning;
using System.Security.Cryptography;
using Layered.Crypto;
using Layered.WinFsp.Adapter;
using Layered.WinFsp.Hosting;
using Layered.WinFsp.Launcher;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>
/// `layered mount` on Windows: the WinFsp host. Started by hand (VAULT and a drive letter, a directory or "*:")
/// or by the WinFsp launcher (`mount --launcher %1 %2`, the password arriving on standard input as the
/// launcher's secret, answered once the vault is unlocked). CTRL_BREAK / CTRL_CLOSE / shutdown unmount cleanly
/// with the journal committed.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WinFspMounting
{
    public static int Run(CliContext context, string first, string second, bool byLauncher, string? passwordFile, bool readOnly)
    {
        var log = context.Loggers.CreateLogger(typeof(WinFspMounting));
        var request = byLauncher ? WinFspMountRequest.FromLauncher(first, second) : WinFspMountRequest.FromCommandLine(Path.GetFullPath(first), second);
        VaultConfig.Load(request.VaultPath);
        Vault keys;
        if (byLauncher)
        {
            var secret = new byte[LauncherSecret.MaxSecretBytes];
            try
            {
                int n = LauncherSecret.Read(Console.OpenStandardInput(), secret);
                try
                {
                    keys = Vault.Unlock(request.VaultPath, secret.AsSpan(0, n), context.Loggers.CreateLogger<Vault>());
                }
                catch (WrongPasswordException)
                {
                    LauncherSecret.Answer(Console.OpenStandardOutput(), accepted: false);
                    throw;
                }
                LauncherSecret.Answer(Console.OpenStandardOutput(), accepted: true);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
        else
        {
            using var password = passwordFile is null ? context.Passwords.Ask("Vault password: ") : context.Passwords.FromFile(passwordFile, "--password-file");
            keys = Vault.Unlock(request.VaultPath, password.Bytes, context.Loggers.CreateLogger<Vault>());
        }
        using (keys)
        {
            var stop = ConsoleStopSignal.Install();
            using (var mount = WinFspMount.Start(request, keys, readOnly, context.Loggers))
            {
                log.LogInformation("Mounted {Vault} on {MountPoint}", request.VaultPath, mount.MountPointName);
                if (!byLauncher)
                    context.Console.Output.WriteLine($"Mounted {request.VaultPath} on {mount.MountPointName} (CTRL+C or CTRL+BREAK unmounts)");
                stop.WaitHandle.WaitOne();
            }
            ConsoleStopSignal.Stopped();
            return ExitCodes.Success;
        }
    }
}
