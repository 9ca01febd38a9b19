using System.CommandLine;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>
/// `layered fsck VAULT [--repair]`: verifies the config (loading it), the journal (opening and replaying it: a
/// corrupt journal fails with its file named), then every file's header MAC and every chunk below its valid data
/// length, with progress on stderr and a per-file report of failing chunks. --repair moves each damaged file to
/// /lost+found in the vault and writes its readable chunks beside it; nothing is deleted, every step is journaled.
/// </summary>
public sealed class FsckCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var vault = CommonArguments.Vault();
        var passwordFile = CommonArguments.PasswordFile();
        var repair = new Option<bool>("--repair") { Description = $"Move damaged files to /{VaultChecker.LostAndFound}, keeping every readable chunk." };
        var command = new Command("fsck", "Verify a vault: config, journal, every header and every stored chunk.") { vault, passwordFile, repair };
        command.SetAction(parsed =>
        {
            string root = CommonArguments.VaultPath(parsed, vault);
            var config = VaultConfig.Load(root);
            var output = context.Console.Output;
            var error = context.Console.Error;
            output.WriteLine($"config   ok (format {config.FormatVersion}, {config.Cipher.Name()}, {config.ChunkSize}-byte chunks)");
            Vault keys;
            string? file = parsed.GetValue(passwordFile);
            using (Password password = file is null ? context.Passwords.Ask("Vault password: ") : context.Passwords.FromFile(file, "--password-file"))
                keys = Vault.Unlock(root, password.Bytes);
            using (keys)
            using (var store = new DirectoryBackingStore(root, context.Loggers.CreateLogger<DirectoryBackingStore>()))
            using (var volume = Volume.Mount(new VolumeOptions { Store = store, Vault = keys, LoggerFactory = context.Loggers, CheckpointInterval = TimeSpan.Zero }))
            {
                var recovery = volume.Recovery;
                output.WriteLine($"journal  ok ({recovery.RecordsReplayed} records replayed" +
                                 (recovery.TornTail is { } t ? $", torn tail dropped at LSN {t.FromLsn}" : "") + ")");
                foreach (var damage in recovery.Damaged)
                    output.WriteLine($"recovery damaged: {damage}");
                var checker = new VaultChecker(volume, context.Loggers.CreateLogger<VaultChecker>());
                var report = checker.Check(parsed.GetValue(repair), new ProgressBar(error));
                output.WriteLine($"files    {report.FilesChecked} checked, {report.ChunksChecked} chunks, {report.Damaged.Count} damaged");
                foreach (var d in report.Damaged)
                    output.WriteLine($"damaged  {d}");
                foreach (var q in report.Quarantined)
                    output.WriteLine($"kept     {q} (in /{VaultChecker.LostAndFound} from an earlier repair)");
                foreach (var r in report.Repairs)
                    output.WriteLine($"repaired {r}");
                if (report.Clean && recovery.Clean)
                    return ExitCodes.Success;
                return report.Repairs.Count == report.Damaged.Count && report.Damaged.Count > 0 ? ExitCodes.Success : ExitCodes.FsckDamage;
            }
        });
        return command;
    }

    /// <summary>A one-line progress bar on stderr (redrawn with a carriage return), at most once per percent.</summary>
    private sealed class ProgressBar(TextWriter error) : IProgress<VaultCheckProgress>
    {
        private int _lastPercent = -1;

        public void Report(VaultCheckProgress value)
        {
            int percent = value.FilesTotal == 0 ? 100 : value.FilesDone * 100 / value.FilesTotal;
            if (percent == _lastPercent)
                return;
            _lastPercent = percent;
            int filled = percent / 5;
            error.Write($"\rchecking [{new string('#', filled)}{new string('.', 20 - filled)}] {percent,3}% {value.FilesDone}/{value.FilesTotal} files");
            if (value.FilesDone == value.FilesTotal)
                error.WriteLine();
            error.Flush();
        }
    }
}
