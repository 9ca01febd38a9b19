using System.Diagnostics;
using Layered.Backing;
using System.Runtime.InteropServices;
using Xunit;

namespace Layered.Backing.Tests;

/// <summary>A temporary folder, removed with everything in it at dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "layered-backing-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Path))
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
    }
}

[Trait("Area", "Engine")]
public class DirectoryBackingStoreTests : BackingStoreContractTests
{
    private TempFolder? _folder;

    protected string Root => _folder!.Path;

    protected override IBackingStore CreateStore()
    {
        _folder = new TempFolder();
        return new DirectoryBackingStore(_folder.Path);
    }

    protected override bool CanChangeOwner => Environment.UserName == "root";

    public override void Dispose()
    {
        base.Dispose();
        _folder?.Dispose();
    }

    [Fact]
    public void Steady_state_file_io_allocates_nothing() => AssertSteadyStateFileIoAllocatesNothing();

    [Fact]
    public void Missing_root_is_refused_with_its_path()
    {
        var missing = System.IO.Path.Combine(Root, "absent");
        var e = Assert.Throws<BackingStoreException>(() => new DirectoryBackingStore(missing));
        Assert.Equal(BackingError.NotFound, e.Error);
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void Files_land_in_the_real_folder()
    {
        Store.CreateDirectory("d");
        WriteFile("d/f", "on disk");
        Assert.Equal("on disk", File.ReadAllText(System.IO.Path.Combine(Root, "d", "f")));
        Assert.Equal(Root, Store.Location);
    }

    [Fact]
    public void Xattrs_are_stored_in_the_user_namespace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        WriteFile("f", "x");
        Store.SetXattr("f", "layered.k", "v"u8);
        var value = new byte[16];
        var length = TestLibc.Lgetxattr(System.IO.Path.Combine(Root, "f"), "user.layered.k", value, value.Length);
        Assert.Equal(1, length);
        Assert.Equal((byte)'v', value[0]);
    }

    [Fact]
    public void Lock_is_seen_by_another_process()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var lockFile = System.IO.Path.Combine(Root, "lock");
        using (Store.AcquireExclusiveLock("lock"))
        {
            Assert.Equal(1, RunExitCode("flock", "-n", lockFile, "true"));
        }
        Assert.Equal(0, RunExitCode("flock", "-n", lockFile, "true"));
    }

    [Fact]
    public void Lock_held_by_another_process_is_refused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var lockFile = System.IO.Path.Combine(Root, "lock");
        File.WriteAllText(lockFile, "");
        // flock(1) holds the lock while its child sleeps; the child reads stdin so we can end it promptly.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-n", lockFile, "sh", "-c", "echo held; read line"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        Assert.Equal("held", holder.StandardOutput.ReadLine());
        AssertFails(BackingError.Locked, "lock", () => Store.AcquireExclusiveLock("lock"));
        holder.StandardInput.WriteLine();
        holder.WaitForExit();
        using var mine = Store.AcquireExclusiveLock("lock");
    }

    [Fact]
    public void Symlink_planted_in_the_folder_is_not_followed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        using var outside = new TempFolder();
        File.WriteAllText(System.IO.Path.Combine(outside.Path, "secret"), "s");
        File.CreateSymbolicLink(System.IO.Path.Combine(Root, "link"), System.IO.Path.Combine(outside.Path, "secret"));
        Assert.Equal(BackingEntryKind.Symlink, Store.TryGetEntry("link")!.Kind);
        AssertFails(BackingError.NotSupported, "link", () => Store.OpenFile("link", BackingOpenMode.OpenRead));
    }

    private static int RunExitCode(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments))!;
        process.WaitForExit();
        return process.ExitCode;
    }
}

/// <summary>Direct libc access, to look at the real folder without going through the store under test.</summary>
internal static partial class TestLibc
{
    [LibraryImport("libc", EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint Lgetxattr(string path, string name, byte[] value, nint size);
}
