namespace Layered.Crypto;

/// <summary>
/// Everything in <c>.layered/vault.config</c> (docs/format.md §Config): format version, vault id, cipher,
/// chunk size, the KDF and its parameters, the salt, and the master key wrapped by the password key.
/// Loading checks size, magic, version, checksum and every bound before anything is used.
/// </summary>
public sealed class VaultConfig
{
    public const ushort CurrentFormatVersion = 1;

    /// <summary>KDF identifier stored in the config: 1 = Argon2id version 1.3.</summary>
    public const byte KdfArgon2id = 1;

    internal VaultConfig(
        string configPath,
        UInt128 vaultId,
        CipherKind cipher,
        int chunkSize,
        KdfParameters kdf,
        byte[] salt,
        byte[] wrapNonce,
        byte[] wrappedMasterKey)
    {
        ConfigPath = configPath;
        VaultId = vaultId;
        Cipher = cipher;
        ChunkSize = chunkSize;
        Kdf = kdf;
        Salt = salt;
        WrapNonce = wrapNonce;
        WrappedMasterKey = wrappedMasterKey;
    }

    /// <summary>The file this config was read from or will be written to.</summary>
    public string ConfigPath { get; }

    public ushort FormatVersion => CurrentFormatVersion;

    /// <summary>Random 128-bit vault identity; also the HKDF salt, so equal master keys in two vaults still give different subkeys.</summary>
    public UInt128 VaultId { get; }

    public string VaultIdText => VaultId.ToString("x32");

    public CipherKind Cipher { get; }

    public int ChunkSize { get; }

    public byte KdfKind => KdfArgon2id;

    public KdfParameters Kdf { get; }

    /// <summary>Argon2id salt, 16 bytes, new at every password change.</summary>
    public ReadOnlyMemory<byte> Salt { get; }

    /// <summary>AEGIS-256 nonce of the key wrap, 32 bytes.</summary>
    public ReadOnlyMemory<byte> WrapNonce { get; }

    /// <summary>Master key encrypted under the password key: 32 bytes ciphertext || 32 bytes tag. Not key material in clear.</summary>
    public ReadOnlyMemory<byte> WrappedMasterKey { get; }

    public ChunkLayout Layout => new(ChunkSize, Cipher);

    /// <summary>Reads and checks the config of the vault at <paramref name="vaultRoot"/>.</summary>
    public static VaultConfig Load(string vaultRoot)
    {
        string path = VaultLayout.ConfigPath(vaultRoot);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new VaultConfigException(path, VaultConfigProblem.Missing, "not found: this folder is not a vault (run 'layered init' first)");
            if (info.Length > VaultConfigFormat.Size * 4)
                throw new VaultConfigException(path, VaultConfigProblem.Corrupt, $"{info.Length} bytes is far larger than a vault config ({VaultConfigFormat.Size} bytes)");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not VaultConfigException)
        {
            throw new VaultConfigException(path, VaultConfigProblem.Unreadable, $"cannot be read: {e.Message}", e);
        }
        return VaultConfigFormat.Decode(bytes, path);
    }
}
