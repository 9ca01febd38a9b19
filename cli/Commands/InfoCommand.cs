using System.CommandLine;
using Layered.Crypto;

namespace Layered.Cli.Commands;

/// <summary>`layered info VAULT`: what the config says (format, cipher, chunk size, vault id, KDF). Needs no
/// password and prints no key material, wrapped or not.</summary>
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
            return ExitCodes.Success;
        });
        return command;
    }
}
