using Layered.Crypto;
using Xunit;

namespace Layered.Cli.Tests;

[Trait("Area", "Cli")]
public sealed class InitCommandTests
{
    private const string Secret = "s3cret-pässword";

    [Fact]
    public void Init_with_a_password_file_creates_a_vault_that_unlocks_with_that_password()
    {
        using var temp = new TempFolder();
        string passwordFile = temp.WriteFile("pw", Secret + "\nsecond line is ignored\n");
        var result = CliRun.InProcess("", "init", temp.Vault, "--password-file", passwordFile);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var vault = Vault.Unlock(temp.Vault, System.Text.Encoding.UTF8.GetBytes(Secret));
        Assert.Equal(CipherKind.Aegis256, vault.Config.Cipher);
        Assert.Equal(4096, vault.Config.ChunkSize);
        Assert.Contains(vault.Config.VaultIdText, result.Output);
        Assert.DoesNotContain(Secret, result.Output + result.Error);
    }

    [Fact]
    public void Init_reads_one_line_from_stdin_when_it_is_not_a_terminal()
    {
        using var temp = new TempFolder();
        var result = CliRun.InProcess(Secret + "\r\n", "init", temp.Vault, "--cipher", "aes256gcm", "--chunk-size", "64K");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var vault = Vault.Unlock(temp.Vault, System.Text.Encoding.UTF8.GetBytes(Secret));
        Assert.Equal(CipherKind.Aes256Gcm, vault.Config.Cipher);
        Assert.Equal(65536, vault.Config.ChunkSize);
    }

    [Theory]
    [InlineData("4096", 4096)]
    [InlineData("1M", 1 << 20)]
    [InlineData("128KiB", 128 * 1024)]
    public void Chunk_size_accepts_bytes_and_suffixes(string text, int expected)
    {
        Assert.Equal(expected, Layered.Cli.Commands.InitCommand.ParseChunkSize(text));
    }

    [Theory]
    [InlineData("3000")]
    [InlineData("2048")]
    [InlineData("2M")]
    [InlineData("abc")]
    [InlineData("-4096")]
    [InlineData("99999999999999")]
    public void Bad_chunk_sizes_are_usage_errors_naming_the_option(string value)
    {
        using var temp = new TempFolder();
        var result = CliRun.InProcess(Secret + "\n", "init", temp.Vault, "--chunk-size", value);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--chunk-size", result.Error);
        Assert.False(File.Exists(temp.ConfigPath));
    }

    [Fact]
    public void Unknown_cipher_is_a_usage_error_naming_the_option()
    {
        using var temp = new TempFolder();
        var result = CliRun.InProcess(Secret + "\n", "init", temp.Vault, "--cipher", "rot13");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--cipher", result.Error);
        Assert.Contains("rot13", result.Error);
        Assert.False(File.Exists(temp.ConfigPath));
    }

    [Fact]
    public void Init_over_an_existing_vault_changes_nothing()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess(Secret + "\n", "init", temp.Vault).ExitCode);
        byte[] before = File.ReadAllBytes(temp.ConfigPath);
        var result = CliRun.InProcess("other\n", "init", temp.Vault);
        Assert.Equal(ExitCodes.VaultExists, result.ExitCode);
        Assert.Contains(temp.ConfigPath, result.Error);
        Assert.Equal(before, File.ReadAllBytes(temp.ConfigPath));
    }

    [Fact]
    public void A_missing_password_file_is_an_io_error_naming_it()
    {
        using var temp = new TempFolder();
        string missing = Path.Combine(temp.Path, "no-such-file");
        var result = CliRun.InProcess("", "init", temp.Vault, "--password-file", missing);
        Assert.Equal(ExitCodes.IoError, result.ExitCode);
        Assert.Contains(missing, result.Error);
        Assert.False(File.Exists(temp.ConfigPath));
    }

    [Fact]
    public void An_empty_password_is_refused()
    {
        using var temp = new TempFolder();
        string empty = temp.WriteFile("empty", "\nsecond\n");
        var fromFile = CliRun.InProcess("", "init", temp.Vault, "--password-file", empty);
        Assert.Equal(ExitCodes.Usage, fromFile.ExitCode);
        Assert.Contains(empty, fromFile.Error);
        var fromStdin = CliRun.InProcess("\n", "init", temp.Vault);
        Assert.Equal(ExitCodes.Usage, fromStdin.ExitCode);
        var noStdin = CliRun.InProcess("", "init", temp.Vault);
        Assert.Equal(ExitCodes.Usage, noStdin.ExitCode);
        Assert.Contains("no password", noStdin.Error);
        Assert.False(File.Exists(temp.ConfigPath));
    }

    [Fact]
    public void Missing_vault_argument_and_unknown_commands_are_usage_errors()
    {
        Assert.Equal(ExitCodes.Usage, CliRun.InProcess("", "init").ExitCode);
        var unknown = CliRun.InProcess("", "frobnicate");
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("frobnicate", unknown.Error);
        Assert.Equal(ExitCodes.Usage, CliRun.InProcess("").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.InProcess("", "init", "x", "--no-such-option").ExitCode);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var result = CliRun.InProcess("", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("init", result.Output);
        Assert.Contains("passwd", result.Output);
        Assert.Contains("info", result.Output);
    }
}
