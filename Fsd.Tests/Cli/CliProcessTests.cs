using Xunit;

namespace Layered.Cli.Tests;

/// <summary>The real `layered` binary as a separate process: streams, exit codes and logs as a user sees them.</summary>
[Trait("Area", "Cli")]
public sealed class CliProcessTests
{
    [Fact]
    public void Init_info_passwd_and_a_wrong_password_through_the_real_binary()
    {
        using var temp = new TempFolder();
        const string first = "first-Pa55word";
        const string second = "second-Pa55word";

        var init = CliRun.AsProcess(first + "\n", "init", temp.Vault);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Contains("Created vault", init.Output);
        Assert.Contains("LAYERED_TEST_FAST_KDF", init.Error); // the test-KDF warning is a log line, on stderr
        Assert.DoesNotContain("LAYERED_TEST_FAST_KDF", init.Output);

        var info = CliRun.AsProcess("", "info", temp.Vault);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("aegis256", info.Output);

        var passwd = CliRun.AsProcess(first + "\n" + second + "\n", "passwd", temp.Vault, "--verbose");
        Assert.True(passwd.ExitCode == 0, passwd.ToString());

        var wrong = CliRun.AsProcess(first + "\nthird\n", "passwd", temp.Vault);
        Assert.Equal(ExitCodes.WrongPassword, wrong.ExitCode);
        Assert.Contains("wrong password", wrong.Error);

        string everything = init.Output + init.Error + info.Output + info.Error + passwd.Output + passwd.Error + wrong.Output + wrong.Error;
        Assert.DoesNotContain(first, everything);
        Assert.DoesNotContain(second, everything);
    }

    [Fact]
    public void Usage_errors_exit_with_2_from_the_real_binary()
    {
        var result = CliRun.AsProcess("", "init", "/tmp/x", "--cipher", "des");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("layered: error:", result.Error.Trim());
    }
}
