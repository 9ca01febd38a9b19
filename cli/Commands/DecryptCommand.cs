using System.CommandLine;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;

namespace Layered.Cli.Commands;

/// <summary>
/// `layered decrypt VAULT`: for people who leave. Every Layered file is decrypted in place, as safely as adoption
/// encrypts (plaintext copy beside it, fsynced, renamed over it, directory fsynced; Layered symlinks become symlinks,
/// hard links stay hard links). Once no encrypted file remains the vault's own folder is removed, config first, so an
/// interrupted removal is finished by running the command again. Interrupted earlier, the vault stays a working
/// vault with mixed content: run the command again to continue.
/// </summary>
public sealed class DecryptCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var vault = CommonArguments.Vault();
        var passwordFile = CommonArguments.PasswordFile();
        var command = new Command("decrypt", "Decrypt every file of a vault in place and remove the vault (the folder becomes a plain folder).") { vault, passwordFile };
        command.SetAction(parsed =>
        {
            string root = CommonArguments.VaultPath(parsed, vault);
            if (!File.Exists(VaultLayout.ConfigPath(root)) && Directory.Exists(VaultLayout.MetaDirectory(root)))
            {
                // The config goes first when the vault is removed, and only once no file is encrypted; a removal
                // interrupted after that leaves only the vault's own bookkeeping (in any part: a recursive delete
                // has no order). Finish it — but only after checking that nothing encrypted is left, because
                // without the config nothing encrypted could ever be read again.
                using (var leftover = new DirectoryBackingStore(root))
                {
                    var encrypted = FolderSurvey.Run(leftover, ConversionDirection.Decrypt);
                    if (encrypted.Files > 0)
                        throw new VaultConfigException(VaultLayout.ConfigPath(root), VaultConfigProblem.Missing,
                            $"the vault's config is missing but {encrypted.Files} files are still encrypted; restore the config from a backup");
                }
                RemoveVaultFolder(root);
                context.Console.Output.WriteLine($"Finished removing the vault folder of {root}; every file is plaintext");
                return ExitCodes.Success;
            }
            VaultConfig.Load(root); // a clear error for a missing or damaged vault before asking for a password
            Vault keys;
            string? file = parsed.GetValue(passwordFile);
            using (Password password = file is null ? context.Passwords.Ask("Vault password: ") : context.Passwords.FromFile(file, "--password-file"))
                keys = Vault.Unlock(root, password.Bytes);
            using (keys)
            {
                int code = ConversionRunner.Run(context, root, keys, ConversionDirection.Decrypt, out var result);
                if (code != ExitCodes.Success)
                    return code;
            }
            using (var store = new DirectoryBackingStore(root))
            {
                var left = FolderSurvey.Run(store, ConversionDirection.Decrypt);
                if (left.Files > 0)
                {
                    foreach (var item in left.Items)
                        context.Console.Error.WriteLine($"layered: still encrypted: /{item.PlainPath}");
                    context.Console.Error.WriteLine("layered: the vault was kept; run the command again.");
                    return ExitCodes.NotAllConverted;
                }
                using (store.AcquireExclusiveLock(VaultLayout.MetaDirectoryName + "/" + VaultLayout.LockFileName))
                {
                    File.Delete(VaultLayout.ConfigPath(root));
                    store.SyncDirectory(VaultLayout.MetaDirectoryName);
                }
            }
            RemoveVaultFolder(root);
            context.Console.Output.WriteLine($"Removed the vault from {root}; every file is plaintext again");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Removes .layered (journal, empty work folders, lock, marker) after the config is gone.</summary>
    private static void RemoveVaultFolder(string root)
    {
        string meta = VaultLayout.MetaDirectory(root);
        if (Directory.Exists(meta))
            Directory.Delete(meta, recursive: true);
        using var store = new DirectoryBackingStore(root);
        store.SyncDirectory("");
    }
}
