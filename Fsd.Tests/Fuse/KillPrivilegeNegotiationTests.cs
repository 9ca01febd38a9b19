using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>
/// FUSE_HANDLE_KILLPRIV_V2, added to libfuse's INIT reply by the host: the kernel then stops asking for
/// security.capability (a GETXATTR round trip) before every write(2).
/// </summary>
[Trait("Area", "Fuse")]
public sealed class KillPrivilegeNegotiationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WritesAskForSecurityCapabilityOnlyOnceWhenTheFileSystemKillsPrivileges(bool inFileSystem)
    {
        using var mount = TestMount.Start(mountPoint => new FuseMountOptions { MountPoint = mountPoint, KillPrivilegesInFileSystem = inFileSystem });
        Assert.Equal(inFileSystem, mount.Host.KillsPrivilegesInFileSystem);
        var block = new byte[4096];
        int before = mount.FileSystem.ExtendedAttributeReads;

        using (var stream = new FileStream(mount.PathOf("written"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            for (int i = 0; i < 100; i++)
                stream.Write(block); // one write(2) each
        }

        int asked = mount.FileSystem.ExtendedAttributeReads - before;
        if (inFileSystem)
            Assert.InRange(asked, 0, 2); // the first write finds no capability, then the file is S_NOSEC
        else
            Assert.InRange(asked, 100, int.MaxValue);
        Assert.Equal(100 * 4096, new FileInfo(mount.PathOf("written")).Length);
    }
}
