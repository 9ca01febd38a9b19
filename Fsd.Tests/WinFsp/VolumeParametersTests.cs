using Layered.WinFsp.Hosting;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests;

/// <summary>The volume parameters Layered mounts with (docs/windows.md explains each).</summary>
[Trait("Area", "WinFsp")]
public sealed class VolumeParametersTests
{
    [Fact]
    public void TheDefaultVolumeIsACachedCaseInsensitiveDiskVolumeInDescriptorMode()
    {
        var created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        FspVolumeParams p = VolumeParameters.Build(new VolumeOptions { VolumeSerialNumber = 0x1234ABCD, VolumeCreationTimeUtc = created });

        Assert.Equal(504, p.Version);
        Assert.Equal(4096, p.SectorSize);
        Assert.Equal(1, p.SectorsPerAllocationUnit);
        Assert.Equal(255, p.MaxComponentLength);
        Assert.Equal(0x1234ABCDu, p.VolumeSerialNumber);
        Assert.Equal((ulong)created.ToFileTimeUtc(), p.VolumeCreationTime);
        Assert.Equal(600_000u, p.IrpTimeout);
        Assert.Equal(1000u, p.IrpCapacity);
        Assert.Equal(uint.MaxValue, p.FileInfoTimeout);
        Assert.True(p.VolumeInfoTimeoutValid);
        Assert.Equal(1000u, p.VolumeInfoTimeout);
        Assert.False(p.DirInfoTimeoutValid);

        Assert.False(p.CaseSensitiveSearch);
        Assert.True(p.CasePreservedNames);
        Assert.True(p.UnicodeOnDisk);
        Assert.True(p.PersistentAcls);
        Assert.True(p.PostCleanupWhenModifiedOnly);
        Assert.True(p.FlushAndPurgeOnCleanup);
        Assert.True(p.SupportsPosixUnlinkRename);
        Assert.False(p.PostDispositionWhenNecessaryOnly);
        Assert.True(p.UmFileContextIsUserContext2);
        Assert.False(p.UmFileContextIsFullContext);
        Assert.False(p.NamedStreams);
        Assert.False(p.ExtendedAttributes);
        Assert.False(p.HardLinks);
        Assert.False(p.ReparsePoints);
        Assert.False(p.ReadOnlyVolume);

        Assert.Equal(string.Empty, p.PrefixText);
        Assert.Equal("Layered", p.FileSystemNameText);
        Assert.Equal("WinFsp.Disk", VolumeParameters.DevicePath(new VolumeOptions()));
    }

    [Fact]
    public void WithoutCachingTheDataCacheIsOffAndMetadataIsCachedBriefly()
    {
        FspVolumeParams p = VolumeParameters.Build(new VolumeOptions { EnableCaching = false, ReadOnly = true, ReparsePoints = true });
        Assert.Equal(1000u, p.FileInfoTimeout);
        Assert.True(p.ReadOnlyVolume);
        Assert.True(p.ReparsePoints);
    }

    [Fact]
    public void ANetworkVolumeCarriesTheLauncherPrefixAndUsesTheNetDevice()
    {
        var options = new VolumeOptions { Prefix = @"\layered\vault" };
        FspVolumeParams p = VolumeParameters.Build(options);
        Assert.Equal(@"\layered\vault", p.PrefixText);
        Assert.Equal("WinFsp.Net", VolumeParameters.DevicePath(options));
    }

    [Theory]
    [InlineData(@"layered\vault")]
    [InlineData(@"\\layered\vault")]
    [InlineData(@"\layered")]
    [InlineData(@"\layered\\vault")]
    public void AMalformedPrefixIsRefusedWithAMessageNamingIt(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => VolumeParameters.Build(new VolumeOptions { Prefix = prefix }));
        Assert.Contains(prefix, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOverlongPrefixOrFileSystemNameIsRefused()
    {
        Assert.Throws<ArgumentException>(() => VolumeParameters.Build(new VolumeOptions { Prefix = @"\layered\" + new string('v', 190) }));
        Assert.Throws<ArgumentException>(() => VolumeParameters.Build(new VolumeOptions { FileSystemName = "ALongFileSystemName" }));
    }
}
