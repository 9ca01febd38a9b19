using System.Diagnostics;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>Mounting, readiness, refusals, and every way a mount ends.</summary>
[Trait("Area", "Fuse")]
public class MountLifecycleTests
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task MountIsLiveWhenMountReturnsAndIdleUnmountRunsDestroy()
    {
        using TestMount mount = TestMount.Start();
        MountEntry? entry = MountTable.Find(mount.MountPoint);
        Assert.NotNull(entry);
        Assert.Equal("fuse.layered", entry.FileSystemType);
        Assert.Equal(1, mount.FileSystem.InitCalls);

        File.WriteAllText(mount.PathOf("hello.txt"), "hello");
        Assert.Equal("hello", File.ReadAllText(mount.PathOf("hello.txt")));

        mount.Host.Dispose();
        Assert.True(mount.Host.Completion.IsCompleted);
        Assert.Equal(0, await mount.Host.Completion);
        Assert.Null(MountTable.Find(mount.MountPoint));
        Assert.Equal(1, mount.FileSystem.DestroyCalls);
    }

    [Fact]
    public async Task RequestStopEndsTheMountEvenWhileAnotherProcessHoldsAFileOpen()
    {
        using TestMount mount = TestMount.Start();
        string file = mount.PathOf("held.txt");
        File.WriteAllText(file, "held");

        // A separate process keeps the file open, so the mount is busy: the shutdown path a
        // SIGTERM takes must still end the loop instead of waiting for the holder.
        using Process holder = Process.Start(new ProcessStartInfo("sh", ["-c", "exec 3<\"$1\"; sleep 60", "sh", file]))!;
        try
        {
            await WaitUntil(() => mount.FileSystem.OpenHandles > 0);

            var stopwatch = Stopwatch.StartNew();
            mount.Host.RequestStop();
            mount.Host.RequestStop(); // repeated requests are harmless
            Assert.True(mount.Host.WaitForExit(StopTimeout), "the loop did not end after RequestStop");
            Assert.True(stopwatch.Elapsed < StopTimeout);
            Assert.Equal(1, mount.FileSystem.DestroyCalls);
            Assert.Null(MountTable.Find(mount.MountPoint));
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task ExternalUnmountEndsTheLoopAndTearsDown()
    {
        using TestMount mount = TestMount.Start();
        using Process unmount = Process.Start("fusermount3", ["-u", mount.MountPoint])!;
        await unmount.WaitForExitAsync();
        Assert.Equal(0, unmount.ExitCode);

        Assert.True(mount.Host.WaitForExit(StopTimeout));
        Assert.Equal(1, mount.FileSystem.DestroyCalls);
    }

    [Fact]
    public void StopThroughTheSignalPathUnmountsCleanly()
    {
        using TestMount mount = TestMount.Start();
        using (mount.Host.HandleTerminationSignals())
        {
            File.WriteAllText(mount.PathOf("a"), "a");
            mount.Host.RequestStop(); // what the SIGINT/SIGTERM/SIGHUP registration calls
            Assert.True(mount.Host.WaitForExit(StopTimeout));
        }

        Assert.Null(MountTable.Find(mount.MountPoint));
        Assert.Equal(1, mount.FileSystem.DestroyCalls);
        Assert.Contains(mount.Log.Entries, e => e.Message.Contains("Unmounted", StringComparison.Ordinal));
    }

    [Fact]
    public void RealSigtermStopsTheMountAndTheProcessLivesOn()
    {
        using TestMount mount = TestMount.Start();
        File.WriteAllText(mount.PathOf("before-signal"), "x");
        using (mount.Host.HandleTerminationSignals())
        {
            Assert.Equal(0, PosixCalls.kill(Environment.ProcessId, PosixCalls.SIGTERM));
            Assert.True(mount.Host.WaitForExit(StopTimeout), "SIGTERM did not stop the mount");
        }

        Assert.Null(MountTable.Find(mount.MountPoint));
        Assert.Equal(1, mount.FileSystem.DestroyCalls);
        Assert.Contains(mount.Log.Entries, e => e.Message.Contains("SIGTERM", StringComparison.Ordinal));
    }

    [Fact]
    public void FileSystemThatFailsInitIsReportedAndLeavesNoMount()
    {
        string directory = Directory.CreateTempSubdirectory("layered-fuse-initfail-").FullName;
        try
        {
            var fileSystem = new MemoryFileSystem { FailInit = true };
            var error = Assert.Throws<FuseMountException>(() => FuseHost.Mount(fileSystem, new FuseMountOptions { MountPoint = directory }));
            Assert.Equal(FuseMountError.InitFailed, error.Error);
            Assert.Contains("injected init failure", error.Message, StringComparison.Ordinal);
            Assert.Null(MountTable.Find(directory));
        }
        finally
        {
            TestMount.ForceUnmount(directory);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void OutOfRangeOptionIsRefusedByName()
    {
        string directory = Directory.CreateTempSubdirectory("layered-fuse-options-").FullName;
        try
        {
            var error = Assert.Throws<FuseMountException>(() => FuseHost.Mount(new MemoryFileSystem(),
                new FuseMountOptions { MountPoint = directory, AttributeTimeout = TimeSpan.FromSeconds(-1) }));
            Assert.Equal(FuseMountError.OptionsRejected, error.Error);
            Assert.Contains(nameof(FuseMountOptions.AttributeTimeout), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void MissingMountPointIsRefusedWithItsPath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "layered-no-such-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<FuseMountException>(() => FuseHost.Mount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = missing }));
        Assert.Equal(FuseMountError.MountPointMissing, error.Error);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void FileAsMountPointIsRefused()
    {
        string file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<FuseMountException>(() => FuseHost.Mount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = file }));
            Assert.Equal(FuseMountError.MountPointNotDirectory, error.Error);
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void NonEmptyMountPointIsRefusedAndItsFilesAreUntouched()
    {
        string directory = Directory.CreateTempSubdirectory("layered-fuse-nonempty-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "keep.txt"), "keep");
            var error = Assert.Throws<FuseMountException>(() => FuseHost.Mount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = directory }));
            Assert.Equal(FuseMountError.MountPointNotEmpty, error.Error);
            Assert.Contains(directory, error.Message, StringComparison.Ordinal);
            Assert.Equal("keep", File.ReadAllText(Path.Combine(directory, "keep.txt")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void SecondMountOnTheSameMountPointIsRefused()
    {
        using TestMount mount = TestMount.Start();
        var second = new MemoryFileSystem();
        var error = Assert.Throws<FuseMountException>(() => FuseHost.Mount(second, new FuseMountOptions { MountPoint = mount.MountPoint }));
        Assert.Equal(FuseMountError.MountPointInUse, error.Error);
        Assert.Contains(mount.MountPoint, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, second.InitCalls);

        // The first mount is unharmed.
        File.WriteAllText(mount.PathOf("still-there"), "yes");
        Assert.Equal("yes", File.ReadAllText(mount.PathOf("still-there")));
    }

    [Fact]
    public void UnknownOptionIsRefusedWithLibfusesReasonAndNothingStaysMounted()
    {
        string directory = Directory.CreateTempSubdirectory("layered-fuse-badopt-").FullName;
        try
        {
            var error = Assert.Throws<FuseMountException>(() => FuseHost.Mount(new MemoryFileSystem(),
                new FuseMountOptions { MountPoint = directory, ExtraOptions = ["no_such_option_xyz"] }));
            Assert.Equal(FuseMountError.OptionsRejected, error.Error);
            Assert.Contains("no_such_option_xyz", error.Message, StringComparison.Ordinal);
            Assert.Null(MountTable.Find(directory));
        }
        finally
        {
            TestMount.ForceUnmount(directory);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public unsafe void ReadOnlyMountRefusesWritesWithErofs()
    {
        using TestMount mount = TestMount.Start(mountPoint => new FuseMountOptions { MountPoint = mountPoint, ReadOnly = true });
        int fd = PosixCalls.open(mount.PathOf("new.txt"), PosixCalls.O_WRONLY | PosixCalls.O_CREAT, 0x1A4);
        Assert.Equal(-1, fd);
        Assert.Equal(Errno.EROFS, PosixCalls.LastErrno);
        Assert.Contains("ro", MountOptionsOf(mount.MountPoint));
    }

    [Fact]
    public void UnmounterEndsAnIdleMountAndRefusesWhatIsNotAFuseMount()
    {
        using TestMount mount = TestMount.Start();
        FuseUnmounter.Unmount(mount.MountPoint);
        Assert.True(mount.Host.WaitForExit(StopTimeout));
        Assert.Null(MountTable.Find(mount.MountPoint));
        Assert.Equal(1, mount.FileSystem.DestroyCalls);

        var error = Assert.Throws<FuseMountException>(() => FuseUnmounter.Unmount(mount.MountPoint));
        Assert.Equal(FuseMountError.MountPointMissing, error.Error);
        Assert.Contains(mount.MountPoint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnmounterRefusesABusyMountUnlessLazy()
    {
        using TestMount mount = TestMount.Start();
        using (File.Open(mount.PathOf("open"), FileMode.Create))
        {
            var error = Assert.Throws<FuseMountException>(() => FuseUnmounter.Unmount(mount.MountPoint));
            Assert.Equal(FuseMountError.MountPointInUse, error.Error);
            Assert.NotNull(MountTable.Find(mount.MountPoint));

            FuseUnmounter.Unmount(mount.MountPoint, lazy: true);
            Assert.Null(MountTable.Find(mount.MountPoint));
        }

        // The last open file closed: the detached mount goes away and the loop ends by itself.
        Assert.True(mount.Host.WaitForExit(StopTimeout));
        Assert.Equal(1, mount.FileSystem.DestroyCalls);
    }

    [Fact]
    public void InvalidatePathAcceptsKnownPathsAndReportsUnknownOnes()
    {
        using TestMount mount = TestMount.Start();
        File.WriteAllText(mount.PathOf("known"), "k");
        Assert.True(File.Exists(mount.PathOf("known")));
        Assert.Equal(0, mount.Host.InvalidatePath("/known"));
        Assert.Equal(-Errno.ENOENT, mount.Host.InvalidatePath("/never-looked-up"));
    }

    [Fact]
    public void DebugModeSendsLibfusesRequestTraceToTheLogger()
    {
        using TestMount mount = TestMount.Start(mountPoint => new FuseMountOptions { MountPoint = mountPoint, Debug = true });
        File.WriteAllText(mount.PathOf("traced"), "t");
        Assert.Contains(mount.Log.Entries, e => e.Message.StartsWith("libfuse: ", StringComparison.Ordinal)
            && e.Message.Contains("CREATE", StringComparison.Ordinal));
    }

    private static string[] MountOptionsOf(string mountPoint)
    {
        foreach (string line in File.ReadLines(MountTable.MountInfoPath))
        {
            string[] fields = line.Split(' ');
            if (fields[4] == mountPoint)
            {
                return fields[5].Split(',');
            }
        }

        return [];
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "condition not reached in 10 s");
            await Task.Delay(20);
        }
    }
}
