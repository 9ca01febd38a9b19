using System.CommandLine;
using Layered.Crypto;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>
/// `layered passwd VAULT [--password-file OLD] [--new-password-file NEW]`: rewraps the master key under a new
/// password. No data is re-encrypted; the old password stops working. Without files: on a terminal the old
/// password is asked once and the new one twice; otherwise stdin gives the old password on line 1 and the new
/// one on the next line.
/// </summary>
public sealed class PasswdCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var vault = CommonArguments.Vault();
        var oldFile = CommonArguments.PasswordFile("--password-file", "Read the current password from the first line of this file.");
        var newFile = CommonArguments.PasswordFile("--new-password-file", "Read the new password from the first line of this file.");
        var command = new Command("passwd", "Change a vault's password (rewraps the master key; no data is re-encrypted).") { vault, oldFile, newFile };
        command.SetAction(parsed =>
        {
            string root = CommonArguments.VaultPath(parsed, vault);
            var logger = context.Loggers.CreateLogger<PasswdCommand>();
            VaultConfig.Load(root); // a missing or damaged config is reported before any password is asked
            string? oldPath = parsed.GetValue(oldFile);
            string? newPath = parsed.GetValue(newFile);
            using Password oldPassword = oldPath is null
                ? context.Passwords.Ask("Current password: ")
                : context.Passwords.FromFile(oldPath, "--password-file");
            using Password newPassword = newPath is null
                ? context.Passwords.AskNew("New password: ", "Repeat the new password: ")
                : context.Passwords.FromFile(newPath, "--new-password-file");
            KdfParameters kdf = KdfChoice.ForNewWrap(context.Console, logger);
            Vault.ChangePassword(root, oldPassword.Bytes, newPassword.Bytes, kdf);
            logger.LogInformation("changed the password of vault {Root}", root);
            context.Console.Output.WriteLine($"Password changed for vault {root}");
            return ExitCodes.Success;
        });
        return command;
    }
}
