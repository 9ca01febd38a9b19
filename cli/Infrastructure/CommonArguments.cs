using System.CommandLine;

namespace Layered.Cli;

/// <summary>Arguments and options shared by several commands, so they are spelled and described alike.</summary>
public static class CommonArguments
{
    public static Argument<string> Vault() => new("VAULT") { Description = "The vault folder (the backing folder holding the encrypted files)." };

    public static Option<string?> PasswordFile(string name = "--password-file", string description = "Read the password from the first line of this file.") =>
        new(name) { Description = description };

    /// <summary>The VAULT argument as a full path; a usage error when it is empty.</summary>
    public static string VaultPath(ParseResult parsed, Argument<string> vault)
    {
        string? value = parsed.GetValue(vault);
        if (string.IsNullOrWhiteSpace(value))
            throw new UsageException("VAULT must not be empty");
        return Path.GetFullPath(value);
    }
}
