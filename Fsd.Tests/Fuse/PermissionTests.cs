using System.Diagnostics;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>default_permissions: the kernel checks mode bits for other users as ext4 would.</summary>
[Trait("Area", "Fuse")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class PermissionTests
{
    [Fact]
    public void OtherUserGetsEaccesOnAPrivateFileAndReadsAPublicOne()
    {
        Assert.True(Environment.UserName == "root", "this test switches to the user 'nobody' and needs root");
        using TestMount mount = TestMount.Start(mountPoint => new FuseMountOptions { MountPoint = mountPoint, AllowOther = true });
        File.SetUnixFileMode(Path.GetDirectoryName(mount.MountPoint)!,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        string secret = mount.PathOf("secret");
        File.WriteAllText(secret, "secret");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string open = mount.PathOf("public");
        File.WriteAllText(open, "public");
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        (int publicExit, string publicOutput) = RunAsNobody(open);
        Assert.Equal(0, publicExit);
        Assert.Equal("public", publicOutput);

        (int secretExit, string secretError) = RunAsNobody(secret);
        Assert.NotEqual(0, secretExit);
        Assert.Contains("Permission denied", secretError, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) RunAsNobody(string path)
    {
        var start = new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "cat", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, process.ExitCode == 0 ? output : error);
    }
}
