using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>Mounting, readiness, and every way a mount ends.</summary>
[Trait("Area", "Fuse")]
public class MountLifecycleTests
{
    [Fact]
    public async Task MountIsLiveWhenMountReturnsAndIdleUnmountRunsDestroy()
    {
        TestMount mount = TestMount.Start();
        try
        {
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
        finally
        {
            mount.Dispose();
        }
    }
}
