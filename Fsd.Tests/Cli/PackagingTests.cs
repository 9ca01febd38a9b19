using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace Layered.Cli.Tests;

/// <summary>
/// The boot-time paths of packaging/: the fstab helper (directly and through mount(8)) and the systemd unit's
/// ExecStart/ExecStop lines, run as systemd runs them, over real FUSE mounts of a real vault.
/// </summary>
[Trait("Area", "Fuse")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PackagingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layered-packaging-").FullName;
    private readonly string _repo = FindRepository();
    private readonly string _layered;
    private readonly string _vault, _mount, _password;

    public PackagingTests()
    {
        Assert.True(Environment.UserName == "root" || geteuid() == 0, "packaging tests mount file systems: run them as root (CI does)");
        // A `layered` executable for the scripts: the built CLI next to these tests.
        _layered = Path.Combine(_dir, "layered");
        File.WriteAllText(_layered, $"#!/bin/sh\nexec dotnet {Path.Combine(AppContext.BaseDirectory, "layered.dll")} \"$@\"\n");
        File.SetUnixFileMode(_layered, (UnixFileMode)0x1ED); // 0755
        _vault = Path.Combine(_dir, "vault");
        _mount = Path.Combine(_dir, "mnt");
        _password = Path.Combine(_dir, "pw");
        File.WriteAllText(_password, "packaging password\n");
        Directory.CreateDirectory(_mount);
        Must($"{_layered} init {_vault} --password-file {_password}");
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    private static string FindRepository()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Layered.sln")))
            d = d.Parent;
        return d?.FullName ?? throw new DirectoryNotFoundException("Layered.sln not found above the test assembly");
    }

    public void Dispose()
    {
        Run($"fusermount3 -u -z {_mount}");
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private (int Code, string Output) Run(string script)
    {
        var psi = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["LAYERED_BIN"] = _layered;
        psi.Environment["LAYERED_TEST_FAST_KDF"] = "1";
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "timed out: " + script);
        return (p.ExitCode, o.Result + e.Result);
    }

    private string Must(string script)
    {
        var (code, output) = Run(script);
        Assert.True(code == 0, $"'{script}' exited {code}: {output}");
        return output;
    }

    private bool Mounted() => File.ReadAllText("/proc/mounts").Contains(" " + _mount + " ", StringComparison.Ordinal);

    [Fact]
    public void FstabHelperMountsReadWriteAndReadOnly()
    {
        var helper = Path.Combine(_repo, "packaging", "mount.fuse.layered");
        Must($"{helper} {_vault} {_mount} -o password_file={_password},nofail,x-systemd.automount,noatime");
        Assert.True(Mounted());
        Must($"echo through-fstab > {_mount}/f && {_layered} unmount {_mount}");
        Assert.False(Mounted());
        Must($"{helper} {_vault} {_mount} -o ro,password_file={_password}");
        Assert.Equal("through-fstab", Must($"cat {_mount}/f").Trim());
        var (code, output) = Run($"echo x > {_mount}/g");
        Assert.NotEqual(0, code);
        Assert.Contains("Read-only file system", output);
        Must($"{_layered} unmount {_mount}");
        // A missing password file option is one clear line and a non-zero exit.
        (code, output) = Run($"{helper} {_vault} {_mount} -o allow_other");
        Assert.Equal(2, code);
        Assert.Contains("password_file", output);
    }

    [Fact]
    public void MountCommandFindsTheHelperByType()
    {
        const string installed = "/sbin/mount.fuse.layered";
        bool ours = !File.Exists(installed);
        if (ours)
            File.CreateSymbolicLink(installed, Path.Combine(_repo, "packaging", "mount.fuse.layered"));
        try
        {
            Must($"mount -t fuse.layered -o password_file={_password} {_vault} {_mount}");
            Must($"echo via-mount8 > {_mount}/m && umount {_mount}");
            Assert.False(Mounted());
            Must($"mount -t fuse.layered -o password_file={_password} {_vault} {_mount}");
            Assert.Equal("via-mount8", Must($"cat {_mount}/m").Trim());
            Must($"umount {_mount}");
        }
        finally
        {
            if (ours)
                File.Delete(installed);
        }
    }

    [Fact]
    public void SystemdUnitStartsStopsAndKeepsTheJournal()
    {
        var unit = File.ReadAllLines(Path.Combine(_repo, "packaging", "layered-mount@.service"));
        string Line(string key) => unit.Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        Assert.Equal("/etc/layered/%i.conf", Line("EnvironmentFile"));
        var env = new Dictionary<string, string> { ["VAULT"] = _vault, ["MOUNTPOINT"] = _mount, ["PASSWORD_FILE"] = _password, ["OPTIONS"] = "" };
        string Expand(string command) =>
            Regex.Replace(command, @"\$\{(\w+)\}|\$(\w+)", m => env[m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value])
                 .Replace("/usr/local/bin/layered", _layered);
        var start = Expand(Line("ExecStart"));
        var stop = Expand(Line("ExecStop"));
        Assert.Equal("SIGTERM", Line("KillSignal"));

        // Start as systemd would (Type=simple: the process is the service), stop with KillSignal.
        using (var service = StartService(start))
        {
            WaitMounted();
            Must($"echo from-systemd > {_mount}/s && sync");
            Process.Start("kill", ["-TERM", service.Id.ToString()]).WaitForExit();
            Assert.True(service.WaitForExit(TimeSpan.FromSeconds(60)), "the service did not stop on SIGTERM");
            Assert.Equal(0, service.ExitCode);
            Assert.False(Mounted());
        }
        // Start again, stop with ExecStop: the data written before is there.
        using (var service = StartService(start))
        {
            WaitMounted();
            Assert.Equal("from-systemd", Must($"cat {_mount}/s").Trim());
            Must(stop);
            Assert.True(service.WaitForExit(TimeSpan.FromSeconds(60)), "the service did not exit after ExecStop");
            Assert.Equal(0, service.ExitCode);
        }
    }

    private Process StartService(string commandLine)
    {
        var psi = new ProcessStartInfo("bash", ["-c", "exec " + commandLine]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["LAYERED_TEST_FAST_KDF"] = "1";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private void WaitMounted()
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!Mounted())
        {
            Assert.True(DateTime.UtcNow < until, "the service did not mount within 60 s");
            Thread.Sleep(100);
        }
    }
}
