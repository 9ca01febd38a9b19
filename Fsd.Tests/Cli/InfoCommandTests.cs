using System.Buffers.Binary;
using System.Security.Cryptography;
using Xunit;

namespace Layered.Cli.Tests;

[Trait("Area", "Cli")]
public sealed class InfoCommandTests
{
    [Fact]
    public void Info_shows_format_cipher_chunk_size_and_id_but_no_key_material()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("pw\n", "init", temp.Vault, "--cipher", "aes256gcm", "--chunk-size", "8192").ExitCode);
        var result = CliRun.InProcess("", "info", temp.Vault);
        Assert.True(result.ExitCode == 0, result.ToString());
        var config = Layered.Crypto.VaultConfig.Load(temp.Vault);
        Assert.Contains("format      1", result.Output);
        Assert.Contains("cipher      aes256gcm", result.Output);
        Assert.Contains("chunk size  8192", result.Output);
        Assert.Contains(config.VaultIdText, result.Output);
        byte[] file = File.ReadAllBytes(temp.ConfigPath);
        foreach (int offset in new[] { 48, 64, 96, 128 }) // salt, wrap nonce, wrapped key, tag
            Assert.DoesNotContain(Convert.ToHexString(file, offset, 8), result.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Info_on_a_folder_that_is_not_a_vault_says_so()
    {
        using var temp = new TempFolder();
        var result = CliRun.InProcess("", "info", temp.Path);
        Assert.Equal(ExitCodes.BadVaultConfig, result.ExitCode);
        Assert.Contains("not a vault", result.Error);
    }

    [Fact]
    public void Corrupt_config_is_reported_with_its_path()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("pw\n", "init", temp.Vault).ExitCode);
        byte[] file = File.ReadAllBytes(temp.ConfigPath);
        file[20] ^= 0x80;
        File.WriteAllBytes(temp.ConfigPath, file);
        var result = CliRun.InProcess("", "info", temp.Vault);
        Assert.Equal(ExitCodes.BadVaultConfig, result.ExitCode);
        Assert.Contains(temp.ConfigPath, result.Error);
        Assert.Contains("checksum", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public void Truncated_config_is_reported()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("pw\n", "init", temp.Vault).ExitCode);
        File.WriteAllBytes(temp.ConfigPath, File.ReadAllBytes(temp.ConfigPath).AsSpan(0, 100).ToArray());
        var result = CliRun.InProcess("", "info", temp.Vault);
        Assert.Equal(ExitCodes.BadVaultConfig, result.ExitCode);
        Assert.Contains("bytes", result.Error);
    }

    [Fact]
    public void Unknown_config_version_is_reported()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("pw\n", "init", temp.Vault).ExitCode);
        byte[] file = File.ReadAllBytes(temp.ConfigPath);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), 7);
        File.WriteAllBytes(temp.ConfigPath, file);
        var result = CliRun.InProcess("", "info", temp.Vault);
        Assert.Equal(ExitCodes.BadVaultConfig, result.ExitCode);
        Assert.Contains("version 7", result.Error);
    }

    [Fact]
    public void A_config_asking_for_64_GiB_of_argon2_memory_is_refused()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("pw\n", "init", temp.Vault).ExitCode);
        byte[] file = File.ReadAllBytes(temp.ConfigPath);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(32), 64u * 1024 * 1024);
        SHA256.HashData(file.AsSpan(0, 160), file.AsSpan(160, 32));
        File.WriteAllBytes(temp.ConfigPath, file);
        var result = CliRun.InProcess("pw\nnew\n", "passwd", temp.Vault);
        Assert.Equal(ExitCodes.BadVaultConfig, result.ExitCode);
        Assert.Contains("memory", result.Error);
    }
}
