using System.Buffers.Binary;
using System.Security.Cryptography;
using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

[Trait("Area", "Crypto")]
public sealed class VaultTests
{
    [Fact]
    public void Created_vault_unlocks_with_its_password_and_keeps_its_settings()
    {
        using var temp = new TempVault(CipherKind.Aes256Gcm, 65536);
        string path = temp.FilePath("a.bin");
        byte[] content = StoredFile.RandomContent(100_000, 1);
        StoredFile.Write(temp.Vault, path, content);

        using var unlocked = Vault.Unlock(temp.Root, TempVault.Password);
        Assert.Equal(CipherKind.Aes256Gcm, unlocked.Config.Cipher);
        Assert.Equal(65536, unlocked.Config.ChunkSize);
        Assert.Equal(temp.Vault.Config.VaultId, unlocked.Config.VaultId);
        Assert.Equal(KdfParameters.ForTestsOnly, unlocked.Config.Kdf);
        Assert.Equal(content, StoredFile.Read(unlocked, path));
    }

    [Fact]
    public void Wrong_password_is_its_own_error_and_does_not_echo_the_password()
    {
        using var temp = new TempVault();
        byte[] wrong = "Tr0ub4dor&3-not-it"u8.ToArray();
        var error = Assert.Throws<WrongPasswordException>(() => Vault.Unlock(temp.Root, wrong));
        Assert.Contains(temp.Root, error.Message);
        Assert.DoesNotContain("Tr0ub4dor", error.Message);
        Assert.Throws<WrongPasswordException>(() => Vault.Unlock(temp.Root, ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Changing_the_password_rewraps_without_touching_data_and_the_old_password_stops_working()
    {
        using var temp = new TempVault();
        string path = temp.FilePath("a.bin");
        byte[] content = StoredFile.RandomContent(9000, 2);
        StoredFile.Write(temp.Vault, path, content);
        byte[] dataBefore = File.ReadAllBytes(path);
        byte[] newPassword = "a whole new password"u8.ToArray();

        Vault.ChangePassword(temp.Root, TempVault.Password, newPassword, new KdfParameters(KdfParameters.MinMemoryKiB * 2, 2));

        Assert.Throws<WrongPasswordException>(() => Vault.Unlock(temp.Root, TempVault.Password));
        using var unlocked = Vault.Unlock(temp.Root, newPassword);
        Assert.Equal(new KdfParameters(KdfParameters.MinMemoryKiB * 2, 2), unlocked.Config.Kdf);
        Assert.Equal(dataBefore, File.ReadAllBytes(path));
        Assert.Equal(content, StoredFile.Read(unlocked, path));
        Assert.False(File.Exists(temp.ConfigPath + ".tmp"));
    }

    [Fact]
    public void Change_password_with_a_wrong_old_password_changes_nothing()
    {
        using var temp = new TempVault();
        byte[] before = File.ReadAllBytes(temp.ConfigPath);
        Assert.Throws<WrongPasswordException>(() => Vault.ChangePassword(temp.Root, "nope"u8, "new one"u8));
        Assert.Equal(before, File.ReadAllBytes(temp.ConfigPath));
    }

    [Fact]
    public void Neither_the_password_nor_the_master_key_is_stored_in_clear()
    {
        using var temp = new TempVault();
        byte[] config = File.ReadAllBytes(temp.ConfigPath);
        Assert.True(config.AsSpan().IndexOf(TempVault.Password) < 0);
        Assert.True(config.AsSpan().IndexOf(temp.Vault.NameKey[..16]) < 0);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.ConfigPath));
    }

    [Fact]
    public void Init_refuses_to_overwrite_an_existing_vault()
    {
        using var temp = new TempVault();
        byte[] before = File.ReadAllBytes(temp.ConfigPath);
        Assert.Throws<VaultAlreadyExistsException>(() => Vault.Create(temp.Root, "other"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly }));
        Assert.Equal(before, File.ReadAllBytes(temp.ConfigPath));
    }

    [Fact]
    public void Missing_config_says_this_is_not_a_vault()
    {
        string root = Path.Combine(Path.GetTempPath(), "layered-crypto-tests", Guid.NewGuid().ToString("n"));
        var error = Assert.Throws<VaultConfigException>(() => Vault.Unlock(root, "x"u8));
        Assert.Equal(VaultConfigProblem.Missing, error.Problem);
        Assert.Contains(VaultLayout.ConfigPath(root), error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(100)]
    [InlineData(191)]
    public void Truncated_config_is_reported(int length)
    {
        using var temp = new TempVault();
        byte[] config = File.ReadAllBytes(temp.ConfigPath);
        File.WriteAllBytes(temp.ConfigPath, config.AsSpan(0, length).ToArray());
        var error = Assert.Throws<VaultConfigException>(() => Vault.Unlock(temp.Root, TempVault.Password));
        Assert.Equal(VaultConfigProblem.Truncated, error.Problem);
        Assert.Contains(temp.ConfigPath, error.Message);
    }

    [Theory]
    [InlineData(3)]    // magic
    [InlineData(12)]   // chunk size
    [InlineData(20)]   // vault id
    [InlineData(50)]   // salt
    [InlineData(100)]  // wrapped key
    [InlineData(170)]  // checksum
    public void Corrupt_config_is_reported_as_corrupt_not_as_a_wrong_password(int offset)
    {
        using var temp = new TempVault();
        byte[] config = File.ReadAllBytes(temp.ConfigPath);
        config[offset] ^= 0x01;
        File.WriteAllBytes(temp.ConfigPath, config);
        var error = Assert.Throws<VaultConfigException>(() => Vault.Unlock(temp.Root, TempVault.Password));
        Assert.Equal(VaultConfigProblem.Corrupt, error.Problem);
    }

    [Fact]
    public void Unknown_config_version_is_reported_as_such()
    {
        using var temp = new TempVault();
        byte[] config = File.ReadAllBytes(temp.ConfigPath);
        BinaryPrimitives.WriteUInt16LittleEndian(config.AsSpan(8), 2);
        File.WriteAllBytes(temp.ConfigPath, config);
        var error = Assert.Throws<VaultConfigException>(() => VaultConfig.Load(temp.Root));
        Assert.Equal(VaultConfigProblem.UnsupportedVersion, error.Problem);
        Assert.Contains("version 2", error.Message);
    }

    [Theory]
    [InlineData(32, 64L * 1024 * 1024, "memory")]   // 64 GiB of Argon2 memory, in KiB
    [InlineData(32, 1024, "memory")]                // 1 MiB: below the minimum
    [InlineData(36, 0, "passes")]
    [InlineData(36, 1000, "passes")]
    [InlineData(40, 4, "parallelism")]
    [InlineData(12, 3000, "chunk size")]
    [InlineData(10, 9, "cipher")]
    public void Out_of_bounds_parameters_are_refused_before_use_even_with_a_valid_checksum(int offset, long value, string named)
    {
        using var temp = new TempVault();
        byte[] config = File.ReadAllBytes(temp.ConfigPath);
        if (offset == 10)
            config[offset] = (byte)value;
        else
            BinaryPrimitives.WriteUInt32LittleEndian(config.AsSpan(offset), (uint)value);
        SHA256.HashData(config.AsSpan(0, 160), config.AsSpan(160, 32));
        File.WriteAllBytes(temp.ConfigPath, config);
        var error = Assert.Throws<VaultConfigException>(() => Vault.Unlock(temp.Root, TempVault.Password));
        Assert.Equal(VaultConfigProblem.OutOfBounds, error.Problem);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void A_parameter_changed_with_a_fixed_checksum_still_fails_the_unwrap()
    {
        // The wrap authenticates the parameters: someone lowering the KDF cost cannot get a working vault.
        using var temp = new TempVault();
        byte[] config = File.ReadAllBytes(temp.ConfigPath);
        BinaryPrimitives.WriteUInt32LittleEndian(config.AsSpan(36), 2);
        SHA256.HashData(config.AsSpan(0, 160), config.AsSpan(160, 32));
        File.WriteAllBytes(temp.ConfigPath, config);
        Assert.Throws<WrongPasswordException>(() => Vault.Unlock(temp.Root, TempVault.Password));
    }

    [Fact]
    public void Bad_create_options_are_refused()
    {
        string root = Path.Combine(Path.GetTempPath(), "layered-crypto-tests", Guid.NewGuid().ToString("n"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vault.Create(root, "pw"u8, new VaultCreateOptions { ChunkSize = 1000, Kdf = KdfParameters.ForTestsOnly }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vault.Create(root, "pw"u8, new VaultCreateOptions { Kdf = new KdfParameters(64L * 1024 * 1024, 1) }));
        Assert.Throws<ArgumentException>(() => Vault.Create(root, ReadOnlySpan<byte>.Empty, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly }));
        Assert.False(File.Exists(VaultLayout.ConfigPath(root)));
    }

    [Fact]
    public void Subkeys_are_distinct_per_purpose()
    {
        using var temp = new TempVault();
        using var keys = new KeyHierarchy(new byte[32], new byte[16]);
        var header = new byte[32];
        var names = new byte[32];
        var content = new byte[32];
        var blob = new byte[32];
        var context = new byte[KeyHierarchy.FileContextSize];
        keys.Derive(KdfLabels.HeaderMac, default, header);
        keys.Derive(KdfLabels.Names, default, names);
        keys.Derive(KdfLabels.FileContent, context, content);
        keys.Derive(KdfLabels.Blob, context, blob);
        Assert.Equal(4, new[] { header, names, content, blob }.Select(Convert.ToHexString).Distinct().Count());
    }
}
