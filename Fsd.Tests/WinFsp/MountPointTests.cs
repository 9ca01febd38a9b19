using Layered.WinFsp.Hosting;

namespace Layered.WinFsp.Tests;

[Trait("Area", "WinFsp")]
public sealed class MountPointTests : IDisposable
{
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "layered-mnt-" + Guid.NewGuid().ToString("N"));

    public MountPointTests() => Directory.CreateDirectory(_parent);

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("*:")]
    public void NothingOrAStarMeansTheFirstFreeDrive(string? text)
    {
        Assert.Equal(new MountPoint(MountPointKind.AnyDrive, "*:"), MountPoint.Parse(text));
    }

    [Theory]
    [InlineData("x:")]
    [InlineData("X:")]
    [InlineData(@"x:\")]
    [InlineData("X:/")]
    public void DriveLettersAreNormalizedToTheTwoCharacterForm(string text)
    {
        Assert.Equal(new MountPoint(MountPointKind.Drive, "X:"), MountPoint.Parse(text));
        Assert.Equal(MountPointKind.Drive, MountPoint.Parse(text, networkVolume: true).Kind);
    }

    [Fact]
    public void MountManagerDrivesPassThrough()
    {
        Assert.Equal(new MountPoint(MountPointKind.MountManagerDrive, @"\\.\Y:"), MountPoint.Parse(@"\\.\Y:"));
    }

    [Fact]
    public void ADirectoryMountPointMustNotExistButItsParentMust()
    {
        string target = Path.Combine(_parent, "vault");
        Assert.Equal(new MountPoint(MountPointKind.Directory, target), MountPoint.Parse(target));

        Directory.CreateDirectory(target);
        Assert.Contains("already exists", Assert.Throws<ArgumentException>(() => MountPoint.Parse(target)).Message, StringComparison.Ordinal);

        string orphan = Path.Combine(_parent, "missing", "vault");
        Assert.Contains("parent directory", Assert.Throws<ArgumentException>(() => MountPoint.Parse(orphan)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RelativePathsAndDirectoriesForNetworkVolumesAreRefused()
    {
        Assert.Contains("full directory path", Assert.Throws<ArgumentException>(() => MountPoint.Parse("relative")).Message, StringComparison.Ordinal);
        Assert.Contains("network", Assert.Throws<ArgumentException>(() => MountPoint.Parse(Path.Combine(_parent, "n"), networkVolume: true)).Message, StringComparison.Ordinal);
    }
}
