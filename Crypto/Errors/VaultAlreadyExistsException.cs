namespace Layered.Crypto;

/// <summary>init was asked to create a vault where a vault config already exists; nothing was changed.</summary>
public sealed class VaultAlreadyExistsException : IOException
{
    public VaultAlreadyExistsException(string configPath)
        : base($"a vault already exists here: {configPath}")
    {
        ConfigPath = configPath;
    }

    public string ConfigPath { get; }
}
