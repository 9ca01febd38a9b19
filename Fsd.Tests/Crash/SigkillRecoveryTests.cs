using System.Diagnostics;
using Xunit.Abstractions;

namespace Layered.Crash.Tests;

/// <summary>
/// The real-process crash test of issue #8: `layered mount --foreground` serves a FUSE mount while a write-heavy
/// workload (overwrites and appends, fsyncs) runs on it; the server is killed with SIGKILL mid-flight, many times.
/// After each kill, `layered recover` must report a consistent vault, a new mount must show every fsynced byte
/// (bytes not rewritten since the last fsync equal what was fsynced), and `layered fsck` must be clean.
/// </summary>
[Trait("Area", "Crash")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SigkillRecoveryTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("layered-sigkill-").FullName;
    private readonly string _dll = Path.Combine(AppContext.BaseDirectory, "layered.dll");
    private readonly string _script = Path.Combine(AppContext.BaseDirectory, "SigkillWorkload.py");
    private readonly string _vault, _mount, _password, _state;

    public SigkillRecoveryTests(ITestOutputHelper output)
    {
        _output = output;
        _vault = Path.Combine(_dir, "vault");
        _mount = Path.Combine(_dir, "mnt");
        _state = Path.Combine(_dir, "state");
        _password = Path.Combine(_dir, "pw");
        File.WriteAllText(_password, "sigkill test password\n");
        Directory.CreateDirectory(_mount);
        Directory.CreateDirectory(_state);
        var init = Layered("init", _vault, "--password-file", _password);
        Assert.True(init.Code == 0, init.Output);
    }

    public void Dispose()
    {
        Run("bash", "-c", $"fusermount3 -u -z {_mount} 2>/dev/null; true");
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void FsyncedBytesSurviveRepeatedSigkillDuringWrites()
    {
        int rounds = Environment.GetEnvironmentVariable("LAYERED_SOAK") == "1" ? 40 : 8;
        for (int round = 0; round < rounds; round++)
        {
            var server = StartForeground();
            var workload = Start("python3", _script, _mount, _state, round.ToString());
            Thread.Sleep(700 + round * 97 % 600);
            Run("kill", "-KILL", server.Id.ToString());
            server.WaitForExit();
            workload.WaitForExit(); // its next write fails with ENOTCONN once the server is gone
            Run("fusermount3", "-u", "-z", _mount);

            var recover = Layered("recover", _vault, "--password-file", _password);
            _output.WriteLine($"round {round}: recover exit {recover.Code}: {recover.Output.ReplaceLineEndings(" | ")}");
            Assert.True(recover.Code == 0, $"round {round}: recover: {recover.Output}");

            server = StartForeground();
            try
            {
                foreach (var name in new[] { "f0", "f1", "f2" })
                    CheckFsyncedBytes(round, name);
            }
            finally
            {
                Run("kill", "-TERM", server.Id.ToString());
                Assert.True(server.WaitForExit(TimeSpan.FromSeconds(60)), "the mount did not stop on SIGTERM");
            }
            var fsck = Layered("fsck", _vault, "--password-file", _password);
            Assert.True(fsck.Code == 0, $"round {round}: fsck: {fsck.Output}");
        }
    }

    [Fact]
    public void FsckNamesATamperedFileAndRepairMovesIt()
    {
        var server = StartForeground();
        var data = Workloads.Pattern(3 * 4096, 9);
        File.WriteAllBytes(Path.Combine(_mount, "victim.bin"), data);
        Run("kill", "-TERM", server.Id.ToString());
        Assert.True(server.WaitForExit(TimeSpan.FromSeconds(60)));
        using (var stored = File.Open(Path.Combine(_vault, "victim.bin"), FileMode.Open, FileAccess.ReadWrite))
        {
            stored.Position = 96 + 10; // inside chunk 0's stored bytes
            int b = stored.ReadByte();
            stored.Position = 96 + 10;
            stored.WriteByte((byte)(b ^ 1));
        }
        var fsck = Layered("fsck", _vault, "--password-file", _password);
        Assert.True(fsck.Code == 10, fsck.Output);
        Assert.Contains("/victim.bin: chunks 0 of", fsck.Output);
        var repair = Layered("fsck", _vault, "--password-file", _password, "--repair");
        Assert.True(repair.Code == 0, repair.Output);
        Assert.Contains("/lost+found/victim.bin.readable", repair.Output);
        var again = Layered("fsck", _vault, "--password-file", _password);
        Assert.True(again.Code == 0, again.Output);
        var recover = Layered("recover", _vault, "--password-file", _password);
        Assert.True(recover.Code == 0 && recover.Output.Contains("vault consistent", StringComparison.Ordinal), recover.Output);
    }

    private void CheckFsyncedBytes(int round, string name)
    {
        var path = Path.Combine(_mount, name);
        if (!File.Exists(path))
            return; // the workload was killed before creating it
        byte[] actual = File.ReadAllBytes(path); // an authentication failure would be EIO here
        byte[] expected = File.ReadAllBytes(Path.Combine(_state, "expected-" + name));
        var dirty = File.ReadAllLines(Path.Combine(_state, "dirty-" + name))
            .Where(l => l.Contains(' ')).Select(l => l.Split(' ')).Select(p => (Offset: long.Parse(p[0]), Length: long.Parse(p[1]))).ToList();
        bool Rewritten(long i) => dirty.Any(d => i >= d.Offset && i < d.Offset + d.Length);
        Assert.True(actual.Length >= expected.Length || dirty.Count > 0,
            $"round {round}: {name} is {actual.Length} bytes, shorter than the {expected.Length} fsynced");
        for (long i = 0; i < expected.Length; i++)
        {
            if (i >= actual.Length)
            {
                Assert.True(Rewritten(i), $"round {round}: {name} lost fsynced byte {i} (file is {actual.Length} bytes)");
                continue;
            }
            if (actual[i] != expected[i] && !Rewritten(i))
                Assert.Fail($"round {round}: {name} byte {i} differs from what was fsynced and was not rewritten since");
        }
        _output.WriteLine($"round {round}: {name}: {actual.Length} bytes, {expected.Length} fsynced, {dirty.Count} unsynced writes");
    }

    /// <summary>Starts the foreground server and waits until the kernel lists the mount (the ready line on stdout
    /// is not relied on: stdout may be block-buffered when it is a pipe).</summary>
    private Process StartForeground()
    {
        var p = Start("dotnet", _dll, "mount", _vault, _mount, "--foreground", "--password-file", _password);
        var errors = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.ReadAllText("/proc/self/mountinfo").Contains(" " + _mount + " ", StringComparison.Ordinal))
        {
            if (p.HasExited || DateTime.UtcNow > deadline)
            {
                lock (errors) Assert.Fail($"the mount did not become ready (exited: {p.HasExited}): {errors}");
            }
            Thread.Sleep(50);
        }
        return p;
    }

    private static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LAYERED_TEST_FAST_KDF"] = "1";
        return Process.Start(psi)!;
    }

    private (int Code, string Output) Layered(params string[] args) => Run("dotnet", [_dll, .. args]);

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        using var p = Start(file, args);
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), $"{file} timed out");
        return (p.ExitCode, o.Result + e.Result);
    }
}
