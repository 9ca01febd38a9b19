using System.Diagnostics;
using Xunit;

namespace Layered.Cli.Tests;

/// <summary>The Windows-only commands say so, in one line and with the "unsupported" exit code, elsewhere.</summary>
[Trait("Area", "Cli")]
public sealed class WindowsCommandsOnLinuxTests
{
    private static (int Code, string Output) Layered(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "layered.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)));
        return (p.ExitCode, o.Result + e.Result);
    }

    [Theory]
    [InlineData("register")]
    [InlineData("unregister")]
    public void LauncherRegistrationIsWindowsOnly(string command)
    {
        if (OperatingSystem.IsWindows())
        {
            // On Windows the command writes HKLM (elevated): here only that it exists and describes itself.
            var help = Layered(command, "--help");
            Assert.Equal(0, help.Code);
            Assert.Contains("WinFsp", help.Output);
            return;
        }
        var (code, output) = Layered(command);
        Assert.Equal(8, code);
        Assert.Contains("Windows only", output);
        Assert.Single(output.Trim().Split('\n'));
    }

    [Fact]
    public void LauncherMountIsWindowsOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            var help = Layered("mount", "--help");
            Assert.Equal(0, help.Code);
            Assert.Contains("--launcher", help.Output);
            return;
        }
        var (code, output) = Layered("mount", "--launcher", @"\\layered\C$\vault", "X:");
        Assert.Equal(8, code);
        Assert.Contains("--launcher", output);
    }
}
