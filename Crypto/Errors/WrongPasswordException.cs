namespace Layered.Crypto;

/// <summary>The password does not unwrap the vault's master key. The message names the vault, never the password.</summary>
public sealed class WrongPasswordException : Exception
{
    public WrongPasswordException(string vaultRoot)
        : base($"wrong password for vault {vaultRoot}")
    {
        VaultRoot = vaultRoot;
    }

    public string VaultRoot { get; }
}
