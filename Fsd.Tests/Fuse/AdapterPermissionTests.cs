using System.Diagnostics;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Fuse.Adapter;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>
/// Mounts where the kernel does not check permissions (no default_permissions): the engine adapter's own check.
/// The mount here lets the user nobody in without the kernel's check, and its file system runs as root, so the
/// backing folder checks nothing: every refusal below is the adapter's.
/// </summary>
[Trait("Area", "Fuse")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AdapterPermissionTests : IDisposable
{
    private const int Nobody = 65534;
    private const int Team = 4242;
    private readonly string _root;
    private readonly string _mount;
    private readonly Vault _keys;
    private readonly DirectoryBackingStore _store;
    private readonly Volume _volume;
    private readonly FuseHost _host;

    public AdapterPermissionTests()
    {
        Assert.True(Environment.UserName == "root", "this test switches to the user 'nobody' and needs root");
        _root = Directory.CreateTempSubdirectory("layered-perm-").FullName;
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                    UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        string vault = Path.Combine(_root, "vault");
        _mount = Path.Combine(_root, "mnt");
        Directory.CreateDirectory(vault);
        Directory.CreateDirectory(_mount);
        _keys = Vault.Create(vault, "pw"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly });
        using (var s = new DirectoryBackingStore(vault))
            Volume.InitializeStore(s, new JournalOptions(), NullLoggerFactory.Instance);
        _store = new DirectoryBackingStore(vault);
        _volume = Volume.Mount(new VolumeOptions { Store = _store, Vault = _keys });
        _host = FuseHost.Mount(new EngineFileSystem(_volume),
            new FuseMountOptions { MountPoint = _mount, AllowOther = true, DefaultPermissions = false }, NullLogger.Instance);

        MakeFile("mine", "mine", Nobody, Nobody, "644");
        MakeFile("mine-readonly", "kept", Nobody, Nobody, "444");
        MakeFile("theirs", "theirs", 0, 0, "644");
        MakeFile("private", "private", 0, 0, "600");
        MakeFile("team", "team", 0, Team, "640");
    }

    public void Dispose()
    {
        try
        {
            _host.Dispose();
            TestMount.ForceUnmount(_mount);
            _volume.Dispose();
            _store.Dispose();
        }
        finally
        {
            _keys.Dispose();
            Directory.Delete(_root, recursive: true);
        }
    }

    private void MakeFile(string name, string content, int uid, int gid, string mode)
    {
        string path = Path.Combine(_mount, name);
        File.WriteAllText(path, content);
        Assert.Equal(0, Run($"chown {uid}:{gid} '{path}' && chmod {mode} '{path}'", asNobody: false).Code);
    }

    private (int Code, string Output) Run(string script, bool asNobody = true, string groups = "--clear-groups")
    {
        var psi = asNobody
            ? new ProcessStartInfo("setpriv", [$"--reuid={Nobody}", $"--regid={Nobody}", groups, "sh", "-c", script])
            : new ProcessStartInfo("sh", ["-c", script]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = "/";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "command timed out: " + script);
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private string PathOf(string name) => Path.Combine(_mount, name);

    [Fact]
    public void The_mount_carries_no_default_permissions()
    {
        string line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == _mount);
        Assert.Contains("allow_other", line, StringComparison.Ordinal);
        Assert.DoesNotContain("default_permissions", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_follow_the_owner_group_and_other_bits()
    {
        Assert.Equal((0, "theirs"), Run($"cat '{PathOf("theirs")}'"));
        var denied = Run($"cat '{PathOf("private")}'");
        Assert.NotEqual(0, denied.Code);
        Assert.Contains("Permission denied", denied.Output, StringComparison.Ordinal);
        // Group bits through a supplementary group only (the kernel's check uses the caller's group list).
        Assert.Equal((0, "team"), Run($"cat '{PathOf("team")}'", groups: $"--groups={Team}"));
        Assert.Contains("Permission denied", Run($"cat '{PathOf("team")}'").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_and_truncates_of_files_the_caller_may_not_write_are_refused_and_change_nothing()
    {
        Assert.Equal(0, Run($"echo more >> '{PathOf("mine")}'").Code);
        Assert.Equal("minemore\n", File.ReadAllText(PathOf("mine")));

        foreach (string script in new[]
                 {
                     $"echo more >> '{PathOf("theirs")}'", // open for writing
                     $": > '{PathOf("theirs")}'",          // O_TRUNC
                     $"truncate -s 0 '{PathOf("theirs")}'", // truncate(2) by path
                     $"echo more >> '{PathOf("mine-readonly")}'",
                 })
        {
            var result = Run(script);
            Assert.NotEqual(0, result.Code);
            Assert.Contains("Permission denied", result.Output, StringComparison.Ordinal);
        }
        Assert.Equal("theirs", File.ReadAllText(PathOf("theirs")));
        Assert.Equal("kept", File.ReadAllText(PathOf("mine-readonly")));
    }

    [Fact]
    public void A_read_only_file_the_engine_holds_open_is_still_refused_for_writing()
    {
        // The engine's node for the file is open (read-write, for its own read-modify-write): the backing folder
        // would not be asked again, so only the adapter's check stands between the caller and the data.
        using var held = new FileStream(PathOf("mine-readonly"), FileMode.Open, FileAccess.Read);
        var result = Run($"echo more >> '{PathOf("mine-readonly")}'");
        Assert.NotEqual(0, result.Code);
        Assert.Contains("Permission denied", result.Output, StringComparison.Ordinal);
        Assert.Equal("kept", File.ReadAllText(PathOf("mine-readonly")));
    }

    [Fact]
    public void Access_answers_for_the_caller()
    {
        // test -r/-w/-x are access(2) calls; with no default_permissions the kernel asks the file system.
        string script = string.Join(" ; ", new[]
        {
            $"test -r '{PathOf("theirs")}' && echo r1",
            $"test -w '{PathOf("theirs")}' && echo w1",
            $"test -r '{PathOf("private")}' && echo r2",
            $"test -w '{PathOf("mine")}' && echo w3",
            $"test -x '{PathOf("mine")}' && echo x3",
            $"test -e '{PathOf("missing")}' && echo e4",
            "true",
        });
        Assert.Equal((0, "r1\nw3\n"), Run(script));
    }

    [Theory]
    [InlineData(null, false, "", false)]
    [InlineData(null, true, "", true)]
    [InlineData(null, false, "allow_root", true)]
    [InlineData(null, false, "ro,allow_other", true)]
    [InlineData(null, false, "default_permissions", true)]
    [InlineData(null, false, "max_read=131072", false)]
    [InlineData(false, true, "", false)]
    [InlineData(true, false, "", true)]
    public void The_kernel_checks_permissions_when_other_users_can_come_in(bool? asked, bool allowOther, string extra, bool expected)
    {
        var options = new FuseMountOptions
        {
            MountPoint = "/unused", DefaultPermissions = asked, AllowOther = allowOther,
            ExtraOptions = extra.Length == 0 ? [] : [extra],
        };
        Assert.Equal(expected, options.KernelChecksPermissions);
    }
}
