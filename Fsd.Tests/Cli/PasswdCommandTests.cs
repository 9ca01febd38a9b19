using System.Text;
using Layered.Crypto;
using Xunit;

namespace Layered.Cli.Tests;

[Trait("Area", "Cli")]
public sealed class PasswdCommandTests
{
    [Fact]
    public void Passwd_with_files_rewraps_and_the_old_password_stops_working()
    {
        using var temp = new TempFolder();
        string oldFile = temp.WriteFile("old", "old-password\n");
        string newFile = temp.WriteFile("new", "new-password\n");
        Assert.Equal(0, CliRun.InProcess("", "init", temp.Vault, "--password-file", oldFile).ExitCode);
        var vaultIdBefore = VaultConfig.Load(temp.Vault).VaultId;

        var result = CliRun.InProcess("", "passwd", temp.Vault, "--password-file", oldFile, "--new-password-file", newFile);
        Assert.True(result.ExitCode == 0, result.ToString());

        Assert.Throws<WrongPasswordException>(() => Vault.Unlock(temp.Vault, "old-password"u8));
        using var vault = Vault.Unlock(temp.Vault, "new-password"u8);
        Assert.Equal(vaultIdBefore, vault.Config.VaultId);
        var again = CliRun.InProcess("", "passwd", temp.Vault, "--password-file", oldFile, "--new-password-file", newFile);
        Assert.Equal(ExitCodes.WrongPassword, again.ExitCode);
    }

    [Fact]
    public void Passwd_reads_old_then_new_from_stdin()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("first\n", "init", temp.Vault).ExitCode);
        var result = CliRun.InProcess("first\nsecond\n", "passwd", temp.Vault);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var vault = Vault.Unlock(temp.Vault, "second"u8);
        Assert.DoesNotContain("first", result.Output + result.Error);
        Assert.DoesNotContain("second", result.Output + result.Error);
    }

    [Fact]
    public void Wrong_old_password_has_its_own_exit_code_and_changes_nothing()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("right\n", "init", temp.Vault).ExitCode);
        byte[] before = File.ReadAllBytes(temp.ConfigPath);
        var result = CliRun.InProcess("wrong-guess\nnew\n", "passwd", temp.Vault);
        Assert.Equal(ExitCodes.WrongPassword, result.ExitCode);
        Assert.Contains("wrong password", result.Error);
        Assert.DoesNotContain("wrong-guess", result.Error + result.Output);
        Assert.Equal(before, File.ReadAllBytes(temp.ConfigPath));
    }

    [Fact]
    public void Passwd_without_a_new_password_is_a_usage_error()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("right\n", "init", temp.Vault).ExitCode);
        byte[] before = File.ReadAllBytes(temp.ConfigPath);
        var result = CliRun.InProcess("right\n", "passwd", temp.Vault);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(temp.ConfigPath));
    }

    [Fact]
    public void Passwd_on_a_folder_that_is_not_a_vault_fails_before_asking()
    {
        using var temp = new TempFolder();
        var result = CliRun.InProcess("", "passwd", temp.Path);
        Assert.Equal(ExitCodes.BadVaultConfig, result.ExitCode);
    }
}
