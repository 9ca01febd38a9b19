using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>
/// The host raises the mount's readahead window (FuseMountOptions.ReadAheadKiB) through sysfs. The kernel lowers it
/// again to what libfuse answered INIT with when it processes that answer, which can come after the mount is ready:
/// the host must write its value after that, on every mount, not only when the race goes its way.
/// </summary>
[Trait("Area", "Fuse")]
public sealed class ReadAheadTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    public void TheRaisedReadaheadWindowOutlastsTheInitAnswer(int answerDelayMs)
    {
        Assert.True(Environment.UserName == "root", "the readahead window is set through sysfs, which needs root");
        using var mount = TestMount.Start(mountPoint => new FuseMountOptions
        {
            MountPoint = mountPoint,
            InitAnswerDelayForTests = TimeSpan.FromMilliseconds(answerDelayMs),
        });
        var entry = MountTable.Find(mount.MountPoint);
        Assert.NotNull(entry);
        Assert.Equal("1024", File.ReadAllText($"/sys/class/bdi/{entry.DeviceMajor}:{entry.DeviceMinor}/read_ahead_kb").Trim());
    }
}
