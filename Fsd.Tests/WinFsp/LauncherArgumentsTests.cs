using Layered.WinFsp.Hosting;
using Layered.WinFsp.Launcher;

namespace Layered.WinFsp.Tests;

/// <summary>What `layered mount --launcher %1 %2` receives from net use and from launchctl.</summary>
[Trait("Area", "WinFsp")]
public sealed class LauncherArgumentsTests
{
    [Fact]
    public void NetUseWithADrivePathGivesANetworkVolumeOverThatVault()
    {
        var args = LauncherArguments.Parse(@"\layered\c$\Users\me\vault", "X:");

        Assert.Equal(@"\layered\c$\Users\me\vault", args.Prefix);
        Assert.Equal(@"c$\Users\me\vault", args.InstanceName);
        Assert.Equal(@"C:\Users\me\vault", args.VaultPath);
        Assert.Equal(new MountPoint(MountPointKind.Drive, "X:"), args.MountPoint);
    }

    [Fact]
    public void NetUseWithANameLeavesTheVaultToBeLookedUpAndMayHaveNoDrive()
    {
        var args = LauncherArguments.Parse(@"\Layered\Photos\", string.Empty);

        Assert.Equal(@"\Layered\Photos", args.Prefix);
        Assert.Equal("Photos", args.InstanceName);
        Assert.Null(args.VaultPath);
        Assert.Null(args.MountPoint);
    }

    [Fact]
    public void LaunchctlWithAVaultPathGivesADiskVolume()
    {
        var args = LauncherArguments.Parse(@"D:\Vaults\work", string.Empty);

        Assert.Equal(@"D:\Vaults\work", args.VaultPath);
        Assert.Null(args.Prefix);
        Assert.Equal(MountPointKind.AnyDrive, args.MountPoint!.Kind);
    }

    [Fact]
    public void EmptyOrInstanceLessArgumentsAreRefused()
    {
        Assert.Contains("%1", Assert.Throws<ArgumentException>(() => LauncherArguments.Parse(string.Empty, "X:")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LauncherArguments.Parse(@"\layered\", "X:"));
    }
}
