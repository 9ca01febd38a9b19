using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>Reading /proc/self/mountinfo, whose paths escape space, tab, newline and backslash.</summary>
[Trait("Area", "Fuse")]
public class MountTableTests
{
    [Fact]
    public void ParsesFieldsAndUnescapesOctal()
    {
        MountEntry? entry = MountTable.Parse(
            @"43 27 0:40 / /tmp/a\040b\134c rw,nosuid,nodev,relatime shared:1 - fuse.layered my\040vault rw,user_id=0");
        Assert.NotNull(entry);
        Assert.Equal(@"/tmp/a b\c", entry.MountPoint);
        Assert.Equal("fuse.layered", entry.FileSystemType);
        Assert.Equal("my vault", entry.Source);
        Assert.Equal(0u, entry.DeviceMajor);
        Assert.Equal(40u, entry.DeviceMinor);
    }

    [Fact]
    public void MalformedLineIsIgnored()
    {
        Assert.Null(MountTable.Parse("not a mountinfo line"));
        Assert.Null(MountTable.Parse("43 27 x:y / /tmp rw - ext4 /dev/sda rw"));
    }

    [Fact]
    public void MountPointWithSpaceAndCommaMountsAndIsFound()
    {
        string root = Directory.CreateTempSubdirectory("layered-fuse-odd-").FullName;
        string mountPoint = Path.Combine(root, "with space, comma");
        Directory.CreateDirectory(mountPoint);
        try
        {
            using (FuseHost host = FuseHost.Mount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = mountPoint, FileSystemName = "vault, with comma" }))
            {
                MountEntry? entry = MountTable.Find(mountPoint);
                Assert.NotNull(entry);
                Assert.Equal("vault, with comma", entry.Source);
                File.WriteAllText(Path.Combine(mountPoint, "f"), "ok");
                Assert.Equal("ok", File.ReadAllText(Path.Combine(mountPoint, "f")));
            }

            Assert.Null(MountTable.Find(mountPoint));
        }
        finally
        {
            TestMount.ForceUnmount(mountPoint);
            Directory.Delete(root, recursive: true);
        }
    }
}
