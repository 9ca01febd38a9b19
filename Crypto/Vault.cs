using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// An unlocked vault: the config plus the keys derived from the master key. The master key itself is not
/// kept, only the HKDF PRK, which is zeroed on Dispose (and the NSec keys are freed/zeroed by libsodium).
/// File content keys live in the vault's <see cref="KeyArena"/>; its locked memory is freed once the vault
/// and every file cipher opened from it are disposed.
/// </summary>
public sealed unsafe class Vault : IDisposable
{
    private readonly KeyHierarchy _keys;
    private readonly SecretBuffer _nameKey;
    private readonly KeyArena _fileKeys;

    private Vault(VaultConfig config, ReadOnlySpan<byte> masterKey, ILogger? logger, KeyArena? fileKeys = null)
    {
        Config = config;
        Layout = config.Layout;
        Span<byte> vaultId = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(vaultId, config.VaultId);
        _keys = new KeyHierarchy(masterKey, vaultId);
        Headers = new HeaderCodec(_keys.DeriveKey(KdfLabels.HeaderMac, default, MacAlgorithm.HmacSha256));
        Blobs = new BlobCipher(_keys, config.Cipher);
        _nameKey = new SecretBuffer(KeyHierarchy.SubkeySize);
        _keys.Derive(KdfLabels.Names, default, _nameKey.Span);
        _fileKeys = fileKeys ?? new KeyArena(logger);
    }

    public VaultConfig Config { get; }

    public ChunkLayout Layout { get; }

    public HeaderCodec Headers { get; }

    public BlobCipher Blobs { get; }

    /// <summary>False when the system refused to lock the memory of file content keys (RLIMIT_MEMLOCK): they work,
    /// but may be swapped to disk. Logged once as a warning when it happens.</summary>
    public bool FileKeysLocked => _fileKeys.AllRegionsLocked;

    /// <summary>The arena holding this vault's file content keys: tests check its growth.</summary>
    internal KeyArena FileKeys => _fileKeys;

    /// <summary>Reserved for encrypted file names; kept internal until a names format exists.</summary>
    internal ReadOnlySpan<byte> NameKey => _nameKey.Span;

    /// <summary>Creates a new vault at <paramref name="vaultRoot"/> (the folder is created if missing) and returns it unlocked.</summary>
    public static Vault Create(string vaultRoot, ReadOnlySpan<byte> password, VaultCreateOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckPassword(password);
        if (!CipherKinds.IsDefined(options.Cipher))
            throw new ArgumentOutOfRangeException(nameof(options), $"unknown cipher kind {(byte)options.Cipher}");
        if (!options.Cipher.IsSupported())
            throw new PlatformNotSupportedException($"{options.Cipher.Name()} is not supported on this machine (AES-256-GCM needs AES-NI); use aegis256");
        if (!ChunkLayout.IsValidChunkSize(options.ChunkSize))
            throw new ArgumentOutOfRangeException(nameof(options),
                $"chunk size {options.ChunkSize} is not a power of two from {ChunkLayout.MinChunkSize} to {ChunkLayout.MaxChunkSize}");
        if (options.Kdf.Validate() is { } kdfProblem)
            throw new ArgumentOutOfRangeException(nameof(options), kdfProblem);

        string configPath = VaultLayout.ConfigPath(vaultRoot);
        if (File.Exists(configPath))
            throw new VaultAlreadyExistsException(configPath);
        Directory.CreateDirectory(VaultLayout.MetaDirectory(vaultRoot));

        Span<byte> idBytes = stackalloc byte[16];
        UInt128 vaultId;
        do
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(idBytes);
            vaultId = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(idBytes);
        }
        while (vaultId == UInt128.Zero);

        using SecretBuffer master = SecretBuffer.Random(KeyWrap.MasterKeySize);
        VaultConfig config = WrapIntoConfig(configPath, vaultId, options.Cipher, options.ChunkSize, options.Kdf, password, master.Span);
        AtomicFile.Write(configPath, VaultConfigFormat.Encode(config), mustNotExist: true);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(VaultLayout.MetaDirectory(vaultRoot)))!);
        return new Vault(config, master.Span, logger);
    }

    /// <summary>Loads the config and unwraps the master key. <see cref="WrongPasswordException"/> when the password is wrong.</summary>
    public static Vault Unlock(string vaultRoot, ReadOnlySpan<byte> password, ILogger? logger = null)
    {
        VaultConfig config = VaultConfig.Load(vaultRoot);
        if (!config.Cipher.IsSupported())
            throw new PlatformNotSupportedException($"this vault uses {config.Cipher.Name()}, which this machine cannot run (AES-256-GCM needs AES-NI)");
        using SecretBuffer master = UnwrapMasterKey(vaultRoot, config, password);
        return new Vault(config, master.Span, logger);
    }

    /// <summary>
    /// Rewraps the master key under a new password (new salt, optionally new KDF parameters); no data is
    /// re-encrypted. Atomic: the new config is written beside the old one, fsynced, renamed over it, and the
    /// directory fsynced. The old password stops working.
    /// </summary>
    public static void ChangePassword(string vaultRoot, ReadOnlySpan<byte> oldPassword, ReadOnlySpan<byte> newPassword, KdfParameters? newKdf = null)
    {
        CheckPassword(newPassword);
        if (newKdf?.Validate() is { } kdfProblem)
            throw new ArgumentOutOfRangeException(nameof(newKdf), kdfProblem);
        VaultConfig old = VaultConfig.Load(vaultRoot);
        using SecretBuffer master = UnwrapMasterKey(vaultRoot, old, oldPassword);
        VaultConfig renewed = WrapIntoConfig(old.ConfigPath, old.VaultId, old.Cipher, old.ChunkSize, newKdf ?? old.Kdf, newPassword, master.Span);
        AtomicFile.Write(old.ConfigPath, VaultConfigFormat.Encode(renewed), mustNotExist: false);
    }

    /// <summary>
    /// The content cipher of one file, with its own subkey. Dispose it when the file closes. The subkey is
    /// derived straight into a slot of the vault's key arena: no system call in steady state.
    /// </summary>
    public FileCipher OpenFileCipher(FileId id)
    {
        if (id.IsEmpty)
            throw new ArgumentException("a file cipher needs a file id", nameof(id));
        ContentAead.EnsureSupported(Config.Cipher);
        Span<byte> context = stackalloc byte[KeyHierarchy.FileContextSize];
        KeyHierarchy.WriteFileContext(Config.Cipher, id, context);
        byte* slot = _fileKeys.Rent();
        try
        {
            _keys.Derive(KdfLabels.FileContent, context, new Span<byte>(slot, KeyArena.SlotSize));
        }
        catch
        {
            _fileKeys.Return(slot);
            throw;
        }
        return new FileCipher(id, Layout, _fileKeys, slot);
    }

    /// <summary>A vault from a known master key and config: format test vectors, benchmarks, and tests that give it
    /// their own key arena.</summary>
    internal static Vault FromMasterKey(VaultConfig config, ReadOnlySpan<byte> masterKey, KeyArena? fileKeys = null) =>
        new(config, masterKey, logger: null, fileKeys);

    public void Dispose()
    {
        Headers.Dispose();
        _nameKey.Dispose();
        _keys.Dispose();
        _fileKeys.Dispose();
    }

    private static void CheckPassword(ReadOnlySpan<byte> password)
    {
        if (password.IsEmpty)
            throw new ArgumentException("the password must not be empty", nameof(password));
    }

    private static VaultConfig WrapIntoConfig(string configPath, UInt128 vaultId, CipherKind cipher, int chunkSize, KdfParameters kdf,
        ReadOnlySpan<byte> password, ReadOnlySpan<byte> masterKey)
    {
        var salt = new byte[PasswordKdf.SaltSize];
        System.Security.Cryptography.RandomNumberGenerator.Fill(salt);
        Span<byte> aad = stackalloc byte[VaultConfigFormat.WrapAadLength];
        VaultConfigFormat.WriteParameters(aad, vaultId, cipher, chunkSize, kdf, salt);
        var nonce = new byte[32];
        var wrapped = new byte[VaultConfigFormat.WrappedKeyLength];
        using (SecretBuffer wrappingKey = PasswordKdf.DeriveWrappingKey(password, salt, kdf))
            KeyWrap.Wrap(wrappingKey.Span, masterKey, aad, nonce, wrapped);
        return new VaultConfig(configPath, vaultId, cipher, chunkSize, kdf, salt, nonce, wrapped);
    }

    private static SecretBuffer UnwrapMasterKey(string vaultRoot, VaultConfig config, ReadOnlySpan<byte> password)
    {
        if (password.IsEmpty)
            throw new WrongPasswordException(vaultRoot);
        Span<byte> aad = stackalloc byte[VaultConfigFormat.WrapAadLength];
        VaultConfigFormat.WriteParameters(aad, config.VaultId, config.Cipher, config.ChunkSize, config.Kdf, config.Salt.Span);
        using SecretBuffer wrappingKey = PasswordKdf.DeriveWrappingKey(password, config.Salt.Span, config.Kdf);
        return KeyWrap.Unwrap(wrappingKey.Span, config.WrapNonce.Span, aad, config.WrappedMasterKey.Span)
            ?? throw new WrongPasswordException(vaultRoot);
    }
}
