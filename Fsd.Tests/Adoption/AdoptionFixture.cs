using System.Diagnostics;
using System.Text;

namespace Layered.Adoption.Tests;

/// <summary>
/// A temp folder with a tree to adopt (nested folders, empty, large and odd-named files, odd permissions, symlinks,
/// hard links, an xattr), a copy of it kept aside with `cp -a`, a password file, and helpers to run the real
/// `layered` binary, mount it and compare trees.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class AdoptionFixture : IDisposable
{
    public AdoptionFixture(int smallFiles = 40, int largeBytes = 3_000_000)
    {
        Root = Directory.CreateTempSubdirectory("layered-adopt-").FullName;
        Tree = Path.Combine(Root, "tree");
        Original = Path.Combine(Root, "original");
        Mount = Path.Combine(Root, "mnt");
        PasswordFile = Path.Combine(Root, "pw");
        File.WriteAllText(PasswordFile, "adoption test password\n");
        Directory.CreateDirectory(Mount);
        BuildTree(smallFiles, largeBytes);
        Sh($"cp -a '{Tree}' '{Original}'").AssertOk("cp -a");
    }

    public string Root { get; }
    public string Tree { get; }
    public string Original { get; }
    public string Mount { get; }
    public string PasswordFile { get; }

    private void BuildTree(int smallFiles, int largeBytes)
    {
        var random = new Random(1234);
        Directory.CreateDirectory(Path.Combine(Tree, "deep/er/still/deeper"));
        Directory.CreateDirectory(Path.Combine(Tree, "empty dir"));
        Directory.CreateDirectory(Path.Combine(Tree, "many"));
        File.WriteAllBytes(Path.Combine(Tree, "empty"), []);
        File.WriteAllBytes(Path.Combine(Tree, "deep/er/still/deeper/leaf.txt"), Encoding.UTF8.GetBytes("a leaf\n"));
        var large = new byte[largeBytes];
        random.NextBytes(large);
        File.WriteAllBytes(Path.Combine(Tree, "deep/large.bin"), large);
        File.WriteAllBytes(Path.Combine(Tree, "chunk-exact"), RandomBytes(random, 4096 * 3));
        File.WriteAllBytes(Path.Combine(Tree, "one byte L"), "L"u8.ToArray()); // a prefix of the header magic
        foreach (var name in new[] { "spaces in name.txt", "ünïcödé-名前.txt", "-leading-dash", "#hash;semi,comma'quote", "new\nline" })
            File.WriteAllBytes(Path.Combine(Tree, name), RandomBytes(random, random.Next(1, 20_000)));
        for (int i = 0; i < smallFiles; i++)
            File.WriteAllBytes(Path.Combine(Tree, "many", $"f{i:D4}"), RandomBytes(random, random.Next(0, 9000)));
        File.SetUnixFileMode(Path.Combine(Tree, "spaces in name.txt"), UnixFileMode.UserRead);
        File.SetUnixFileMode(Path.Combine(Tree, "-leading-dash"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
        File.SetLastWriteTimeUtc(Path.Combine(Tree, "deep/er/still/deeper/leaf.txt"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        File.CreateSymbolicLink(Path.Combine(Tree, "link-to-leaf"), "deep/er/still/deeper/leaf.txt");
        File.CreateSymbolicLink(Path.Combine(Tree, "deep/dangling"), "../nowhere/at all");
        File.CreateSymbolicLink(Path.Combine(Tree, "link-to-dir"), "deep");
        Sh($"ln '{Tree}/deep/large.bin' '{Tree}/many/large-again' && ln '{Tree}/chunk-exact' '{Tree}/deep/er/chunk-2' && " +
           $"ln '{Tree}/chunk-exact' '{Tree}/chunk-3' && setfattr -n user.note -v 'kept across adoption' '{Tree}/chunk-exact'").AssertOk("links");
        Sh($"touch -h -d '2010-10-10 10:10:10' '{Tree}/link-to-leaf' && touch -d '2005-05-05' '{Tree}/deep/er'").AssertOk("times");
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    public ProcessResult Layered(params string[] args) => Run(StartLayered(args));

    public Process StartLayered(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "layered.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["LAYERED_TEST_FAST_KDF"] = "1";
        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        return p;
    }

    public static ProcessResult Run(Process p)
    {
        using (p)
        {
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                p.Kill(true);
                throw new TimeoutException("layered did not finish in 3 minutes");
            }
            return new ProcessResult(p.ExitCode, o.Result, e.Result);
        }
    }

    public static ProcessResult Sh(string script)
    {
        var psi = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, o.Result, e.Result);
    }

    /// <summary>Mounts the tree's vault (or <paramref name="vault"/>) in the foreground; dispose unmounts and waits for the process.</summary>
    public IDisposable MountTree(string? vault = null)
    {
        var p = StartLayered("mount", vault ?? Tree, Mount, "--foreground", "--password-file", PasswordFile);
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null && line != "layered: ready") { }
        if (line != "layered: ready")
            Assert.Fail("the mount did not become ready: " + p.StandardError.ReadToEnd());
        // Drained on pool threads: on Linux the pipe's async copy may complete its first read synchronously.
        _ = Task.Run(() => p.StandardOutput.BaseStream.CopyTo(Stream.Null));
        _ = Task.Run(() => p.StandardError.BaseStream.CopyTo(Stream.Null));
        return new Mounted(this, p);
    }

    private sealed class Mounted(AdoptionFixture f, Process p) : IDisposable
    {
        public void Dispose()
        {
            Sh($"fusermount3 -u '{f.Mount}' || fusermount3 -u -z '{f.Mount}'");
            if (!p.WaitForExit(30_000))
                p.Kill(true);
            p.Dispose();
        }
    }

    /// <summary>
    /// One line per object below <paramref name="dir"/> (not .layered): path, type, permissions, size, modification
    /// time to the microsecond (the engine keeps 100 ns ticks), symlink target, an id of its hard-link group (the first
    /// path sharing its inode), user xattrs, and a content hash. Directory times are left out when asked: renaming
    /// files into a folder moves its time on a mount that does not keep it.
    /// </summary>
    public static string Describe(string dir, bool directoryTimes = true)
    {
        var r = Sh($"cd '{dir}' && find . -mindepth 1 -path ./.layered -prune -o -printf '%P\\001%y\\001%m\\001%s\\001%T@\\001%l\\001%i\\000' | sort -z");
        r.AssertOk("find");
        var firstNameOfInode = new Dictionary<string, string>();
        var lines = new StringBuilder();
        foreach (var record in r.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = record.Split('\u0001');
            Assert.True(f.Length == 7, "unexpected find output: " + record);
            var (path, type, mode, size, mtime, target, inode) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
            string group = type == "f" ? (firstNameOfInode.TryAdd(inode, path) ? path : firstNameOfInode[inode]) : "";
            string time = type == "d" && !directoryTimes ? "" : mtime.Length > 17 ? mtime[..17] : mtime;
            string hash = type == "f" ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, path))))[..16] : "";
            string xattrs = type == "f" ? Sh($"getfattr -d --absolute-names -m '^user\\.' '{Path.Combine(dir, path).Replace("'", "'\\''")}' 2>/dev/null | grep -v '^#'").Output.Trim() : "";
            if (type == "l")
                mode = ""; // symlink permission bits mean nothing on Linux
            lines.Append($"{path}|{type}|{mode}|{(type == "d" ? "" : size)}|{time}|{target}|{group}|{hash}|{xattrs}\n");
        }
        return lines.ToString();
    }

    /// <summary>Every regular file under the tree (outside .layered) starts with the header magic or is empty.</summary>
    public List<string> PlaintextFilesLeft()
    {
        var left = new List<string>();
        // Regular files only: opening a FIFO would block.
        var found = Sh($"find '{Tree}' -path '{Tree}/.layered' -prune -o -type f -print0");
        found.AssertOk("find");
        foreach (var file in found.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var head = new byte[8];
            using var s = File.OpenRead(file);
            int n = s.ReadAtLeast(head, 8, throwOnEndOfStream: false);
            if (n > 0 && !head.AsSpan(0, n).SequenceEqual("LAYERED\0"u8[..n]) || n is > 0 and < 8)
                left.Add(file);
        }
        return left;
    }

    public string[] Temporaries() => Directory.Exists(Path.Combine(Tree, ".layered/tmp")) ? Directory.GetFileSystemEntries(Path.Combine(Tree, ".layered/tmp")) : [];

    public void Dispose()
    {
        Sh($"fusermount3 -u -z '{Mount}' 2>/dev/null");
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

internal sealed record ProcessResult(int Code, string Output, string Error)
{
    public void AssertOk(string what) => Assert.True(Code == 0, $"{what} failed: exit {Code}\n{Output}\n{Error}");
    public override string ToString() => $"exit {Code}\nstdout: {Output}\nstderr: {Error}";
}
