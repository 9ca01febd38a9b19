using Layered.WinFsp.Adapter;
using Layered.WinFsp.Hosting;

namespace Layered.WinFsp.Tests;

/// <summary>The arguments `layered mount` takes on Windows: typed by a person, or substituted by the launcher.</summary>
[Trait("Area", "WinFsp")]
public sealed class WinFspMountRequestTests
{
    [Fact]
    public void ADiskVolumeFromTheLauncherTakesTheVaultAndDrive()
    {
        var request = WinFspMountRequest.FromLauncher(@"C:\vaults\work", "x:");
        Assert.Equal(@"C:\vaults\work", request.VaultPath);
        Assert.Equal(new MountPoint(MountPointKind.Drive, "X:"), request.MountPoint);
        Assert.Null(request.Prefix);
        Assert.True(request.ByLauncher);
        Assert.False(request.HostOptions(readOnly: false).IsNetwork);
        Assert.True(request.HostOptions(readOnly: false).ReparsePoints); // Layered volumes serve symlinks
    }

    [Fact]
    public void ANetworkVolumeCarriesItsPrefixAndTheVaultInTheDollarForm()
    {
        var request = WinFspMountRequest.FromLauncher(@"\layered\C$\Users\me\vault", "Y:");
        Assert.Equal(@"C:\Users\me\vault", request.VaultPath);
        Assert.Equal(@"\layered\C$\Users\me\vault", request.Prefix);
        Assert.Equal("Y:", request.MountPoint.Text);
        var options = request.HostOptions(readOnly: true);
        Assert.True(options.IsNetwork);
        Assert.True(options.ReadOnly);
        Assert.True(options.ReparsePoints);
    }

    [Fact]
    public void ANetworkNameWithoutAVaultPathIsRefusedNamingTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => WinFspMountRequest.FromLauncher(@"\layered\work", ""));
        Assert.Contains(@"\layered\work", e.Message);
        Assert.Contains("X$", e.Message);
    }

    [Fact]
    public void ALauncherCallWithoutAVaultIsRefused() =>
        Assert.Throws<ArgumentException>(() => WinFspMountRequest.FromLauncher("", "X:"));

    [Fact]
    public void TheCommandLineFormDefaultsToTheFirstFreeDrive()
    {
        var request = WinFspMountRequest.FromCommandLine(@"D:\vault", null);
        Assert.Equal(MountPointKind.AnyDrive, request.MountPoint.Kind);
        Assert.False(request.ByLauncher);
        Assert.Throws<ArgumentException>(() => WinFspMountRequest.FromCommandLine(" ", "X:"));
    }
}
