using System.CommandLine;
using System.Globalization;
using Layered.Crypto;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>
/// `layered init VAULT [--password-file F] [--cipher aegis256|aes256gcm] [--chunk-size N] [--adopt]`: creates a vault.
/// On a folder that already holds files it asks on a terminal (or `--adopt` says) to adopt it: the vault is created
/// inside it and every file is encrypted in place. `--adopt` on an existing vault resumes an interrupted adoption.
/// </summary>
public sealed class InitCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var vault = CommonArguments.Vault();
        var passwordFile = CommonArguments.PasswordFile();
        var cipher = new Option<string>("--cipher") { Description = "Content cipher: aegis256 (default) or aes256gcm.", DefaultValueFactory = _ => "aegis256" };
        var chunkSize = new Option<string>("--chunk-size")
        {
            Description = "Plaintext bytes per chunk: a power of two from 4096 to 1048576; K and M suffixes allowed (default 4096).",
            DefaultValueFactory = _ => ChunkLayout.DefaultChunkSize.ToString(CultureInfo.InvariantCulture),
        };
        var adopt = new Option<bool>("--adopt")
        {
            Description = "VAULT already holds files: create the vault inside it and encrypt them in place (again: resume).",
        };
        var command = new Command("init", "Create a new vault in VAULT (the folder is created if missing).") { vault, passwordFile, cipher, chunkSize, adopt };
        command.SetAction(parsed =>
        {
            string root = CommonArguments.VaultPath(parsed, vault);
            var options = new VaultCreateOptions
            {
                Cipher = ParseCipher(parsed.GetValue(cipher)!),
                ChunkSize = ParseChunkSize(parsed.GetValue(chunkSize)!),
            };
            return Run(context, root, parsed.GetValue(passwordFile), options, parsed.GetValue(adopt));
        });
        return command;
    }

    private static int Run(CliContext context, string root, string? passwordFile, VaultCreateOptions options, bool adopt)
    {
        var logger = context.Loggers.CreateLogger<InitCommand>();
        string configPath = VaultLayout.ConfigPath(root);
        if (File.Exists(configPath))
        {
            if (adopt)
                return ResumeAdoption(context, root, passwordFile);
            throw new VaultAlreadyExistsException(configPath); // before asking for a password nobody needs
        }
        if (!options.Cipher.IsSupported())
            throw new PlatformNotSupportedException($"--cipher {options.Cipher.Name()} is not supported on this machine (needs AES-NI); use aegis256");
        int existing = CountUserEntries(root);
        if (existing > 0 && !adopt)
            adopt = AskToAdopt(context, root, existing);
        options = options with { Kdf = KdfChoice.ForNewWrap(context.Console, logger) };

        using Password password = passwordFile is null
            ? context.Passwords.AskNew("New vault password: ", "Repeat the password: ")
            : context.Passwords.FromFile(passwordFile, "--password-file");
        using Vault created = Vault.Create(root, password.Bytes, options);

        // The journal and the vault's private folders are created here, right after the config and before
        // anything else uses the vault.
        using (var store = new Layered.Backing.DirectoryBackingStore(root))
            Layered.Fsd.Volume.InitializeStore(store, new Layered.Journal.JournalOptions(), context.Loggers);

        logger.LogInformation("created vault {Root}: {Cipher}, {ChunkSize}-byte chunks, {Kdf}", root, options.Cipher.Name(), options.ChunkSize, options.Kdf);
        context.Console.Output.WriteLine($"Created vault {root}");
        context.Console.Output.WriteLine($"  cipher      {created.Config.Cipher.Name()}");
        context.Console.Output.WriteLine($"  chunk size  {created.Config.ChunkSize}");
        context.Console.Output.WriteLine($"  vault id    {created.Config.VaultIdText}");
        if (!adopt)
            return ExitCodes.Success;
        return ConversionRunner.Run(context, root, created, Layered.Fsd.ConversionDirection.Encrypt, out _);
    }

    private static int ResumeAdoption(CliContext context, string root, string? passwordFile)
    {
        VaultConfig.Load(root); // a clear error for a damaged config before asking for a password
        Vault keys;
        using (Password password = passwordFile is null ? context.Passwords.Ask("Vault password: ") : context.Passwords.FromFile(passwordFile, "--password-file"))
            keys = Vault.Unlock(root, password.Bytes);
        using (keys)
        {
            // An init killed after writing the config and before creating the journal leaves a vault without one (or
            // with its folder still empty). Nothing was ever journaled then (the journal is created before any other
            // use of the vault), so it is created now.
            string journal = VaultLayout.JournalDirectory(root);
            if (!Directory.Exists(journal) || !Directory.EnumerateFileSystemEntries(journal).Any())
            {
                using var store = new Layered.Backing.DirectoryBackingStore(root);
                Layered.Fsd.Volume.InitializeStore(store, new Layered.Journal.JournalOptions(), context.Loggers);
            }
            context.Console.Output.WriteLine($"Continuing the adoption of {root}");
            return ConversionRunner.Run(context, root, keys, Layered.Fsd.ConversionDirection.Encrypt, out _);
        }
    }

    /// <summary>Entries of the folder other than the vault's own (0 when the folder does not exist).</summary>
    private static int CountUserEntries(string root)
    {
        if (!Directory.Exists(root))
            return 0;
        return Directory.EnumerateFileSystemEntries(root).Count(p => !VaultLayout.IsMetaDirectoryName(Path.GetFileName(p)));
    }

    /// <summary>On a terminal: asks whether to adopt the non-empty folder. Elsewhere: a usage error naming --adopt.</summary>
    private static bool AskToAdopt(CliContext context, string root, int existing)
    {
        if (!context.Console.InputIsTerminal)
            throw new UsageException($"{root} is not empty ({existing} entries); pass --adopt to create the vault inside it and encrypt its files in place");
        context.Console.Error.Write($"{root} is not empty ({existing} entries). Create the vault inside it and encrypt every file in place? [y/N] ");
        context.Console.Error.Flush();
        var answer = new System.Text.StringBuilder();
        int b;
        while ((b = context.Console.Input.ReadByte()) >= 0 && b != '\n')
            answer.Append((char)b);
        if (answer.ToString().Trim() is "y" or "Y" or "yes" or "Yes")
            return true;
        throw new UsageException($"{root} was not adopted (the answer was not yes); nothing was changed");
    }

    internal static CipherKind ParseCipher(string value)
    {
        if (CipherKinds.TryParse(value, out CipherKind kind))
            return kind;
        throw new UsageException($"--cipher: unknown cipher '{value}' (use aegis256 or aes256gcm)");
    }

    internal static int ParseChunkSize(string value)
    {
        string text = value.Trim();
        long multiplier = 1;
        if (text.EndsWith("KiB", StringComparison.OrdinalIgnoreCase) || text.EndsWith('K') || text.EndsWith('k'))
        {
            multiplier = 1024;
            text = text.TrimEnd('B', 'b').TrimEnd('i').TrimEnd('K', 'k');
        }
        else if (text.EndsWith("MiB", StringComparison.OrdinalIgnoreCase) || text.EndsWith('M') || text.EndsWith('m'))
        {
            multiplier = 1024 * 1024;
            text = text.TrimEnd('B', 'b').TrimEnd('i').TrimEnd('M', 'm');
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number > int.MaxValue
            || !ChunkLayout.IsValidChunkSize(number * multiplier))
        {
            throw new UsageException($"--chunk-size: '{value}' is not a power of two from {ChunkLayout.MinChunkSize} to {ChunkLayout.MaxChunkSize} bytes");
        }
        return (int)(number * multiplier);
    }
}
