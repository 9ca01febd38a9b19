using System.Diagnostics;
using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

/// <summary>
/// Errors only a real, small or separate volume produces: a full disk and a cross-device rename. A tmpfs
/// is mounted inside the store's folder, which needs root (as on the project's machines and CI).
/// </summary>
[Trait("Area", "Engine")]
public sealed class DirectoryStoreVolumeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _mountPoint;
    private readonly bool _mounted;

    public DirectoryStoreVolumeTests()
    {
        _mountPoint = Path.Combine(_folder.Path, "small");
        System.IO.Directory.CreateDirectory(_mountPoint);
        _mounted = OperatingSystem.IsLinux() && Environment.UserName == "root"
            && Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", _mountPoint) == 0;
    }

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", _mountPoint);
        }
        _folder.Dispose();
    }

    [Fact]
    public void Full_volume_gives_no_space_naming_the_file_and_keeps_what_was_written()
    {
        if (!_mounted)
        {
            return; // needs root on Linux to mount a tmpfs
        }
        using var store = new DirectoryBackingStore(_mountPoint);
        Assert.Equal(64 * 1024, store.GetStatistics().TotalBytes);
        using (var first = store.OpenFile("first", BackingOpenMode.CreateNew))
        {
            first.Write(0, new byte[16 * 1024]);
            first.Flush();
        }
        using var big = store.OpenFile("big", BackingOpenMode.CreateNew);
        var e = Assert.Throws<BackingStoreException>(() => big.Write(0, new byte[128 * 1024]));
        Assert.Equal(BackingError.NoSpace, e.Error);
        Assert.Equal("big", e.StorePath);
        Assert.Equal(16 * 1024, store.TryGetEntry("first")!.Length);
        Assert.True(store.GetStatistics().FreeBytes < 64 * 1024);
    }

    [Fact]
    public void Rename_across_volumes_gives_cross_device()
    {
        if (!_mounted)
        {
            return; // needs root on Linux to mount a tmpfs
        }
        using var store = new DirectoryBackingStore(_folder.Path);
        using (store.OpenFile("f", BackingOpenMode.CreateNew)) { }
        var e = Assert.Throws<BackingStoreException>(() => store.Rename("f", "small/f", replace: false));
        Assert.Equal(BackingError.CrossDevice, e.Error);
        Assert.NotNull(store.TryGetEntry("f"));
        Assert.Null(store.TryGetEntry("small/f"));
    }

    private static int Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }
}
