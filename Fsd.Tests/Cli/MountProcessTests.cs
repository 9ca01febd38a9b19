using System.Diagnostics;
using Layered.Fuse.Tests;
using Xunit;

namespace Layered.Cli.Tests;

/// <summary>
/// `layered mount` as real processes: fsync then SIGKILL of the serving process keeps the fsynced data; a second
/// mount of the same vault is refused; each bad input is one clear line and a non-zero exit.
/// </summary>
[Trait("Area", "Fuse")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MountProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layered-mountproc-").FullName;
    private readonly string _dll = Path.Combine(AppContext.BaseDirectory, "layered.dll");
    private readonly string _vault, _mount, _password;

    public MountProcessTests()
    {
        _vault = Path.Combine(_dir, "vault");
        _mount = Path.Combine(_dir, "mnt");
        _password = Path.Combine(_dir, "pw");
        File.WriteAllText(_password, "mount process password\n");
        Directory.CreateDirectory(_mount);
        Assert.Equal(0, Layered("init", _vault, "--password-file", _password).Code);
    }

    public void Dispose()
    {
        Sh($"fusermount3 -u -z {_mount} 2>/dev/null; fusermount3 -u -z {_mount}2 2>/dev/null");
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private (int Code, string Output) Layered(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(_dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LAYERED_TEST_FAST_KDF"] = "1";
        psi.Environment.Remove("MALLOC_ARENA_MAX");
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "layered timed out");
        return (p.ExitCode, o.Result + e.Result);
    }

    private static (int Code, string Output) Sh(string script)
    {
        var psi = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result + e.Result);
    }

    private Process StartForeground(string? mallocArenaMax = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("MALLOC_ARENA_MAX");
        if (mallocArenaMax is not null)
            psi.Environment["MALLOC_ARENA_MAX"] = mallocArenaMax;
        foreach (var a in new[] { _dll, "mount", _vault, _mount, "--foreground", "--password-file", _password })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null && line != "layered: ready") { }
        if (line != "layered: ready")
            Assert.Fail("the mount did not become ready: " + p.StandardError.ReadToEnd());
        p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        p.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return p;
    }

    [Fact]
    public void FsyncedDataSurvivesSigkillOfTheServingProcess()
    {
        for (int round = 0; round < 5; round++)
        {
            using var server = StartForeground();
            // Each round: one file written and fsynced (dd's fsync must succeed), then unsynced appends in flight,
            // then SIGKILL of the serving process.
            var (code, output) = Sh($"head -c {100_000 + round * 7919} /dev/urandom > {_dir}/expected{round} && " +
                                    $"dd if={_dir}/expected{round} of={_mount}/durable{round} bs=64k conv=fsync status=none");
            Assert.True(code == 0, "write+fsync through the mount failed: " + output);
            (code, output) = Sh($"(for i in $(seq 1 200); do head -c 8192 /dev/urandom >> {_mount}/unsynced; done) 2>/dev/null & " +
                                $"sleep 0.3; kill -9 {server.Id}; wait; true");
            Assert.True(code == 0, output);
            server.WaitForExit();
            Sh($"fusermount3 -u -z {_mount}");
            using var again = StartForeground();
            for (int r = 0; r <= round; r++)
                Assert.True(Sh($"cmp {_dir}/expected{r} {_mount}/durable{r}").Code == 0, $"fsynced file of round {r} lost or damaged after SIGKILL in round {round}");
            // Whatever part of the unsynced appends survived reads back without an authentication error.
            Assert.Equal(0, Sh($"cat {_mount}/unsynced > /dev/null").Code);
            Process.Start("kill", ["-TERM", again.Id.ToString()]).WaitForExit();
            Assert.True(again.WaitForExit(TimeSpan.FromSeconds(60)));
        }
    }

    [Fact]
    public void TheDetachedMountProcessRunsWithTwoMallocArenas()
    {
        var (code, output) = Layered("mount", _vault, _mount, "--password-file", _password);
        Assert.True(code == 0, output);
        try
        {
            int pid = LockHolder(Path.Combine(_vault, ".layered", "lock"));
            var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            Assert.Contains("--foreground", args);
            Assert.Contains(_vault, args);
            var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
            Assert.Contains("MALLOC_ARENA_MAX=2", environment);
        }
        finally
        {
            Assert.Equal(0, Layered("unmount", _mount).Code);
        }
    }

    /// <summary>The process holding the flock of <paramref name="path"/>, from /proc/locks ("N: FLOCK ADVISORY WRITE
    /// PID MAJOR:MINOR:INODE ..."): the serving process of a vault holds its lock file (no scan of every process,
    /// some of which may not answer).</summary>
    private static int LockHolder(string path)
    {
        string inode = Sh($"stat -c %i '{path}'").Output.Trim();
        var holders = File.ReadAllLines("/proc/locks")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 5 && f[1] == "FLOCK" && f[5].EndsWith(":" + inode, StringComparison.Ordinal))
            .Select(f => int.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture))
            .Distinct()
            .ToList();
        return Assert.Single(holders);
    }

    [Fact]
    public void AForegroundMountCapsMallocArenasUnlessTheEnvironmentSaysOtherwise()
    {
        // Each thread's first malloc takes a new arena until there are 8, then up to 8 per core: the runtime's
        // threads take some before Main can cap them, and the cap keeps the rest from being made.
        int Heaps(string? mallocArenaMax)
        {
            using var server = StartForeground(mallocArenaMax);
            try
            {
                Assert.Equal(0, Sh($"for i in 1 2 3 4 5 6; do (for j in $(seq 20); do echo x > {_mount}/f$i-$j; cat {_mount}/f$i-$j > /dev/null; done) & done; wait").Code);
                return MallocHeaps(server.Id);
            }
            finally
            {
                Process.Start("kill", ["-TERM", server.Id.ToString()]).WaitForExit();
                Assert.True(server.WaitForExit(TimeSpan.FromSeconds(60)));
            }
        }
        int glibcDefault = Heaps("16"); // 8 per core on this 2-core machine, as glibc sets it
        int capped = Heaps(null);
        Assert.True(capped < glibcDefault - 4, $"{capped} malloc heaps with the cap, {glibcDefault} with MALLOC_ARENA_MAX=16");
    }

    /// <summary>glibc's non-main arenas live in heaps of 64 MiB of address space aligned to 64 MiB (HEAP_MAX_SIZE on
    /// 64-bit): runs of adjacent anonymous mappings starting at such an address and spanning exactly that much.</summary>
    private static int MallocHeaps(int pid)
    {
        const long heapSize = 64L << 20;
        var regions = File.ReadAllLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (Range: f[0].Split('-'), Anonymous: f.Length < 6))
            .Select(r => (Start: Convert.ToInt64(r.Range[0], 16), End: Convert.ToInt64(r.Range[1], 16), r.Anonymous))
            .ToList();
        int heaps = 0;
        for (int i = 0; i < regions.Count; i++)
        {
            if (!regions[i].Anonymous || regions[i].Start % heapSize != 0)
                continue;
            long end = regions[i].Start;
            for (int j = i; j < regions.Count && regions[j].Anonymous && regions[j].Start == end && regions[j].End <= regions[i].Start + heapSize; j++)
                end = regions[j].End;
            if (end == regions[i].Start + heapSize)
                heaps++;
        }
        return heaps;
    }

    [Fact]
    public void UnmountReturnsOnceTheServingProcessHasLetGoOfTheVault()
    {
        var (code, output) = Layered("mount", _vault, _mount, "--password-file", _password);
        Assert.True(code == 0, output);
        // The mount table's source column names the vault a mount point serves.
        Assert.Equal(_vault, Sh($"findmnt -n -o SOURCE {_mount}").Output.Trim());
        Assert.Equal(0, Sh($"for i in $(seq 200); do echo $i > {_mount}/f$i; done").Code);
        (code, output) = Layered("unmount", _mount);
        Assert.True(code == 0, output);
        // The serving process commits and checkpoints its journal after the kernel detached the mount: only once
        // it has let go of the vault is the backing folder complete. flock -n fails at once while the lock is held.
        var (held, why) = Sh($"flock -n -x {_vault}/.layered/lock true");
        Assert.True(held == 0, "the vault is still held after `layered unmount` returned: " + why);
    }

    [Fact]
    public void AMountWaitsForAVaultHeldByAProcessThatNoLongerServesAMountOfIt()
    {
        // What a mount that is closing looks like from outside: the vault's lock held, no mount of it in the table.
        var holder = Process.Start("flock", ["-x", Path.Combine(_vault, ".layered", "lock"), "sleep", "2"])!;
        try
        {
            Assert.True(Eventually.Reached(() => Sh($"flock -n {_vault}/.layered/lock true").Code != 0), "the holder never took the lock");
            var (code, output) = Layered("mount", _vault, _mount, "--password-file", _password);
            Assert.True(code == 0, output);
            Assert.True(holder.HasExited, "the mount succeeded while another process held the vault");
            Assert.Equal(0, Layered("unmount", _mount).Code);
        }
        finally
        {
            holder.WaitForExit();
        }
    }

    [Fact]
    public void ASecondMountOfTheSameVaultIsRefused()
    {
        using var server = StartForeground();
        Directory.CreateDirectory(_mount + "2");
        var (code, output) = Layered("mount", _vault, _mount + "2", "--password-file", _password);
        Assert.NotEqual(0, code);
        Assert.Contains("already mounted", output);
        // It is mounted here (the mount table says so): refused at once, no wait for it to close.
        Assert.DoesNotContain("waiting", output);
        Process.Start("kill", ["-TERM", server.Id.ToString()]).WaitForExit();
        Assert.True(server.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, server.ExitCode);
    }

    [Fact]
    public void BadInputGetsOneClearLine()
    {
        var (code, output) = Layered("mount", Path.Combine(_dir, "nope"), _mount, "--password-file", _password);
        Assert.NotEqual(0, code);
        Assert.Contains("nope", output);
        File.WriteAllText(Path.Combine(_dir, "bad"), "wrong\n");
        (code, output) = Layered("mount", _vault, _mount, "--password-file", Path.Combine(_dir, "bad"));
        Assert.Equal(3, code);
        Assert.Contains("wrong password", output);
        (code, output) = Layered("mount", _vault, Path.Combine(_dir, "missing-mountpoint"), "--password-file", _password);
        Assert.Equal(6, code);
        Assert.Contains("missing-mountpoint", output);
        Assert.DoesNotContain("internal error", output);
        File.WriteAllText(Path.Combine(_mount, "occupied"), "x");
        (code, output) = Layered("mount", _vault, _mount, "--password-file", _password);
        Assert.Equal(6, code);
        Assert.Contains("not empty", output);
        Assert.DoesNotContain("internal error", output);
    }

    [Fact]
    public void RecoverNamesDamageItCannotRepairWithItsOwnExitCode()
    {
        using (var server = StartForeground())
        {
            var (code, output) = Sh($"head -c 20000 /dev/urandom > {_mount}/victim && sync {_mount}/victim");
            Assert.True(code == 0, output);
            Process.Start("kill", ["-KILL", server.Id.ToString()]).WaitForExit();
            server.WaitForExit();
        }
        Sh($"fusermount3 -u -z {_mount}");
        // The journal still holds the file's sizes (no checkpoint ran): destroy its header, which recovery needs.
        using (var f = new FileStream(Path.Combine(_vault, "victim"), FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = 40; // inside the header's sealed fields
            int b = f.ReadByte();
            f.Position -= 1;
            f.WriteByte((byte)(b ^ 0x40));
        }
        var (exit, text) = Layered("recover", _vault, "--password-file", _password);
        Assert.Equal(9, exit);
        Assert.Contains("victim", text);
        // Nothing was deleted: the damaged file is left for fsck --repair.
        Assert.True(File.Exists(Path.Combine(_vault, "victim")));
    }

    /// <summary>Runs `layered mount --foreground` in a private mount namespace prepared by <paramref name="setup"/>.</summary>
    private (int Code, string Output) MountInNamespace(string setup) =>
        Sh($"LAYERED_TEST_FAST_KDF=1 unshare -m bash -c '{setup} && exec dotnet {_dll} mount {_vault} {_mount} --foreground --password-file {_password}'");

    [Fact]
    public void WithoutDevFuseTheMountSaysSoInOneLine()
    {
        // A private /dev without the fuse device (null and urandom bound back for the runtime and the shell).
        var (code, output) = MountInNamespace(
            $"mkdir -p {_dir}/realdev && mount --bind /dev {_dir}/realdev && mount -t tmpfs none /dev && " +
            $"for n in null zero urandom random; do touch /dev/$n; mount --bind {_dir}/realdev/$n /dev/$n; done");
        Assert.Equal(8, code);
        Assert.Contains("/dev/fuse does not exist", output);
        Assert.DoesNotContain("internal error", output);
    }

    [Fact]
    public void WithoutLibfuse3TheMountSaysSoInOneLine()
    {
        var library = Sh("readlink -f /lib/x86_64-linux-gnu/libfuse3.so.3").Output.Trim();
        Assert.True(File.Exists(library), "libfuse3 is installed on the test machine: " + library);
        File.WriteAllText(Path.Combine(_dir, "empty"), "");
        var (code, output) = MountInNamespace($"mount --bind {_dir}/empty {library}");
        Assert.Equal(8, code);
        Assert.Contains("libfuse3 is not installed", output);
        Assert.DoesNotContain("internal error", output);
    }
}
