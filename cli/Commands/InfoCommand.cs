using System.CommandLine;
using Layered.Crypto;

namespace Layered.Cli.Commands;

/// <summary>`layered info VAULT`: what the config says (format, cipher, chunk size, vault id, KDF), and while an
/// adoption (or decryption) is in progress how many files are still plaintext. Needs no password and prints no key
/// material, wrapped or not.</summary>
public sealed class InfoCommand : ICliCommand
{
    public Command Build(CliContext context)
    {
        var vault = CommonArguments.Vault();
        var command = new Command("info", "Show a vault's format, cipher, chunk size and id (no password needed).") { vault };
        command.SetAction(parsed =>
        {
            string root = CommonArguments.VaultPath(parsed, vault);
            VaultConfig config = VaultConfig.Load(root);
            TextWriter output = context.Console.Output;
            output.WriteLine($"vault       {root}");
            output.WriteLine($"format      {config.FormatVersion}");
            output.WriteLine($"cipher      {config.Cipher.Name()}");
            output.WriteLine($"chunk size  {config.ChunkSize}");
            output.WriteLine($"vault id    {config.VaultIdText}");
            output.WriteLine($"kdf         {config.Kdf}");
            if (File.Exists(Path.Combine(VaultLayout.MetaDirectory(root), Layered.Fsd.Volume.MixedContentMarkerName)))
            {
                // Only the first bytes of each file are read: the header magic tells a Layered file from plaintext.
                using var store = new Layered.Backing.DirectoryBackingStore(root);
                var plaintext = Layered.Fsd.FolderSurvey.Run(store, Layered.Fsd.ConversionDirection.Encrypt);
                var encrypted = Layered.Fsd.FolderSurvey.Run(store, Layered.Fsd.ConversionDirection.Decrypt);
                output.WriteLine($"unconverted {plaintext.Files} files ({plaintext.Bytes} bytes) still plaintext, {encrypted.Files} encrypted");
                foreach (var problem in plaintext.Unconvertible)
                    output.WriteLine($"cannot hold {problem}");
            }
            else
            {
                output.WriteLine("unconverted 0 files");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
