using System.Diagnostics;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>
/// Files unlinked (or replaced by a rename) while a process holds them open: the holder keeps
/// reading and fstat-ing them, the name is gone at once, no .fuse_hidden name ever shows.
/// </summary>
[Trait("Area", "Fuse")]
public sealed class UnlinkedOpenFileTests : IDisposable
{
    private readonly TestMount _mount = TestMount.Start();

    public void Dispose() => _mount.Dispose();

    [Fact]
    public void HolderCanFstatAndReadAfterUnlinkAndTheNameIsGoneAtOnce()
    {
        string m = _mount.MountPoint;
        // cat fstat()s its input: the kernel's GETATTR for that carries no file handle.
        (int code, string output) = Shell(
            $"echo still-here > {m}/held; exec 3<{m}/held; rm {m}/held; " +
            $"test ! -e {m}/held || exit 10; ls -a {m}; stat -L -c 'size=%s links=%h' /dev/fd/3; cat <&3");
        Assert.True(code == 0, output);
        Assert.Contains("size=11 links=0", output, StringComparison.Ordinal);
        Assert.EndsWith("still-here\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain(".fuse_hidden", output, StringComparison.Ordinal);

        // The holder exited: libfuse released the file and its hidden name is forgotten.
        Assert.True(Eventually.Reached(() => _mount.FileSystem.OpenHandles == 0 && _mount.Host.UnlinkedFiles.Count == 0),
            "handles and unlinked files not released in 10 s");
        Assert.Empty(Directory.GetFileSystemEntries(m));
    }

    [Fact]
    public void WritesThroughAnUnlinkedHandleAreSeenByItsFstat()
    {
        string m = _mount.MountPoint;
        (int code, string output) = Shell(
            $"exec 3<>{m}/scratch; rm {m}/scratch; printf 0123456789 >&3; stat -L -c 'size=%s' /dev/fd/3");
        Assert.True(code == 0, output);
        Assert.Contains("size=10", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RenameOverAnOpenTargetReplacesItWhileTheHolderKeepsTheOldContent()
    {
        string m = _mount.MountPoint;
        (int code, string output) = Shell(
            $"echo old > {m}/target; echo new > {m}/source; exec 3<{m}/target; " +
            $"mv {m}/source {m}/target; cat {m}/target; cat <&3; ls -a {m}");
        Assert.True(code == 0, output);
        Assert.StartsWith("new\nold\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain(".fuse_hidden", output, StringComparison.Ordinal);
        Assert.DoesNotContain("source", output, StringComparison.Ordinal);
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(m, "target")));
    }

    [Fact]
    public void ProgramsCannotCreateLibfusesHiddenNamesButMayUseSimilarOnes()
    {
        const string Reserved = ".fuse_hidden0000000100000001";
        File.WriteAllText(_mount.PathOf("plain"), "p");

        Assert.Equal(-1, PosixCalls.open(_mount.PathOf(Reserved), PosixCalls.O_WRONLY | PosixCalls.O_CREAT, 0x1A4));
        Assert.Equal(Errno.EINVAL, PosixCalls.LastErrno);
        Assert.Equal(-1, PosixCalls.link(_mount.PathOf("plain"), _mount.PathOf(Reserved)));
        Assert.Equal(Errno.EINVAL, PosixCalls.LastErrno);
        Assert.Throws<IOException>(() => Directory.CreateDirectory(_mount.PathOf(Reserved)));
        Assert.Equal(["plain"], Directory.GetFileSystemEntries(_mount.MountPoint).Select(p => Path.GetFileName(p)!).ToArray());

        // Only the exact form is reserved.
        File.WriteAllText(_mount.PathOf(".fuse_hidden-notes"), "n");
        Assert.Equal("n", File.ReadAllText(_mount.PathOf(".fuse_hidden-notes")));
    }

    [Fact]
    public void RenameOverATargetJustClosedByAnotherProcessSucceeds()
    {
        // RELEASE of a closed file reaches libfuse asynchronously, so a rename right after close may
        // still find the target "open" and take the hide path; it must succeed either way.
        string m = _mount.MountPoint;
        for (int round = 0; round < 40; round++)
        {
            (int code, string output) = Shell($"cd {m} && echo x > X && echo y > Y && mv -f X Y && cat Y");
            Assert.True(code == 0, $"round {round}: {output}");
            Assert.Equal("x\n", output);
        }
    }

    private static (int Code, string Output) Shell(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error);
    }
}
