using System.CommandLine;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>
/// `layered recover VAULT`: the recovery every mount runs first, on its own: replays the journal after the last
/// checkpoint (sizes and chunk images, following renames), frees orphans and temporaries, checkpoints, and prints
/// what it did. Exit 0 when the vault is consistent afterwards; <see cref="ExitCodes.RecoveryDamage"/>, with the
/// files named, when some file could only be brought back to a shorter authentic prefix.
/// </summary>
public sealed class RecoverCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var vault = CommonArguments.Vault();
        var passwordFile = CommonArguments.PasswordFile();
        var command = new Command("recover", "Replay a vault's journal after a crash, free orphans, checkpoint, and report.") { vault, passwordFile };
        command.SetAction(parsed =>
        {
            string root = CommonArguments.VaultPath(parsed, vault);
            VaultConfig.Load(root); // a clear error for a missing or damaged vault before asking for a password
            Vault keys;
            string? file = parsed.GetValue(passwordFile);
            using (Password password = file is null ? context.Passwords.Ask("Vault password: ") : context.Passwords.FromFile(file, "--password-file"))
                keys = Vault.Unlock(root, password.Bytes);
            using (keys)
            using (var store = new DirectoryBackingStore(root, context.Loggers.CreateLogger<DirectoryBackingStore>()))
            using (var volume = Volume.Mount(new VolumeOptions { Store = store, Vault = keys, LoggerFactory = context.Loggers, CheckpointInterval = TimeSpan.Zero }))
            {
                var report = volume.Recovery;
                var output = context.Console.Output;
                output.WriteLine($"records replayed   {report.RecordsReplayed}");
                output.WriteLine($"files brought up   {report.FilesRepaired}");
                output.WriteLine($"orphans freed      {report.OrphansFreed}");
                output.WriteLine($"temporaries        {report.TemporariesRemoved}");
                output.WriteLine(report.TornTail is { } torn
                    ? $"torn journal tail  at LSN {torn.FromLsn}, {torn.DroppedBytes} bytes dropped ({torn.Reason})"
                    : "torn journal tail  none");
                if (report.Clean)
                {
                    output.WriteLine("vault consistent");
                    return ExitCodes.Success;
                }
                foreach (var damage in report.Damaged)
                    context.Console.Error.WriteLine($"layered: damaged: {damage}");
                output.WriteLine($"vault NOT consistent: {report.Damaged.Count} damaged files (run `layered fsck --repair` to move them to /{VaultChecker.LostAndFound})");
                return ExitCodes.RecoveryDamage;
            }
        });
        return command;
    }
}
