using System.CommandLine;
using System.Globalization;
using Layered.Crypto;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>`layered init VAULT [--password-file F] [--cipher aegis256|aes256gcm] [--chunk-size N]`: creates a vault.</summary>
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
        var command = new Command("init", "Create a new vault in VAULT (the folder is created if missing).") { vault, passwordFile, cipher, chunkSize };
        command.SetAction(parsed =>
        {
            string root = CommonArguments.VaultPath(parsed, vault);
            var options = new VaultCreateOptions
            {
                Cipher = ParseCipher(parsed.GetValue(cipher)!),
                ChunkSize = ParseChunkSize(parsed.GetValue(chunkSize)!),
            };
            return Run(context, root, parsed.GetValue(passwordFile), options);
        });
        return command;
    }

    private static int Run(CliContext context, string root, string? passwordFile, VaultCreateOptions options)
    {
        var logger = context.Loggers.CreateLogger<InitCommand>();
        string configPath = VaultLayout.ConfigPath(root);
        if (File.Exists(configPath))
            throw new VaultAlreadyExistsException(configPath); // before asking for a password nobody needs
        if (!options.Cipher.IsSupported())
            throw new PlatformNotSupportedException($"--cipher {options.Cipher.Name()} is not supported on this machine (needs AES-NI); use aegis256");
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
        return ExitCodes.Success;
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
