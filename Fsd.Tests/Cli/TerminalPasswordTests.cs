using System.Diagnostics;
using System.Text;
using Layered.Crypto;
using Xunit;

namespace Layered.Cli.Tests;

/// <summary>
/// Password entry on a real terminal: the binary runs under util-linux `script`, which gives it a
/// pseudo-terminal, and the test types at the prompts. Checks that init asks twice, that nothing typed
/// is echoed, and that a mismatch is refused; passwd asks the old password once and the new one twice.
/// </summary>
[Trait("Area", "Cli")]
public sealed class TerminalPasswordTests
{
    [Fact]
    public void Init_on_a_terminal_asks_twice_without_echo()
    {
        using var temp = new TempFolder();
        var (exitCode, transcript) = TypeAtPrompts($"init '{temp.Vault}'", ("New vault password:", "Typed-Secret-1"), ("Repeat the password:", "Typed-Secret-1"));
        Assert.True(exitCode == 0, transcript);
        Assert.DoesNotContain("Typed-Secret-1", transcript);
        using var vault = Vault.Unlock(temp.Vault, "Typed-Secret-1"u8);
    }

    [Fact]
    public void Init_on_a_terminal_refuses_passwords_that_differ()
    {
        using var temp = new TempFolder();
        var (exitCode, transcript) = TypeAtPrompts($"init '{temp.Vault}'", ("New vault password:", "first-try"), ("Repeat the password:", "second-try"));
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("do not match", transcript);
        Assert.False(File.Exists(temp.ConfigPath));
    }

    [Fact]
    public void Passwd_on_a_terminal_asks_the_old_password_once_and_the_new_one_twice()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.InProcess("Old-Secret\n", "init", temp.Vault).ExitCode);
        var (exitCode, transcript) = TypeAtPrompts($"passwd '{temp.Vault}'",
            ("Current password:", "Old-Secret"), ("New password:", "New-Secret"), ("Repeat the new password:", "New-Secret"));
        Assert.True(exitCode == 0, transcript);
        Assert.DoesNotContain("Secret", transcript);
        using var vault = Vault.Unlock(temp.Vault, "New-Secret"u8);
        Assert.Throws<WrongPasswordException>(() => Vault.Unlock(temp.Vault, "Old-Secret"u8));
    }

    private static (int ExitCode, string Transcript) TypeAtPrompts(string commandLine, params (string Prompt, string Typed)[] steps)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "layered.dll");
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "-q", "-e", "-c", $"dotnet exec '{dll}' {commandLine}", "/dev/null" })
            start.ArgumentList.Add(arg);
        start.Environment[KdfChoice.TestSwitchVariable] = "1";
        using var process = Process.Start(start)!;
        var transcript = new StringBuilder();
        var reader = Task.Run(async () =>
        {
            var buffer = new char[256];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (transcript)
                    transcript.Append(buffer, 0, read);
            }
        });
        int searchFrom = 0;
        foreach (var (prompt, typed) in steps)
        {
            searchFrom = WaitFor(transcript, prompt, searchFrom, process);
            process.StandardInput.Write(typed + "\r");
            process.StandardInput.Flush();
        }
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("layered under script did not finish: " + transcript);
        }
        reader.Wait(10_000);
        lock (transcript)
            return (process.ExitCode, transcript.ToString());
    }

    private static int WaitFor(StringBuilder transcript, string prompt, int searchFrom, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            lock (transcript)
            {
                int at = transcript.ToString().IndexOf(prompt, searchFrom, StringComparison.Ordinal);
                if (at >= 0)
                    return at + prompt.Length;
            }
            if (process.HasExited)
                break;
            Thread.Sleep(20);
        }
        lock (transcript)
            throw new TimeoutException($"no prompt '{prompt}' from layered; transcript: {transcript}");
    }
}
