using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests;

/// <summary>Each bitfield accessor sets exactly its documented mask and clears it again.</summary>
[Trait("Area", "WinFsp")]
public sealed class VolumeParamsFlagTests
{
    public static TheoryData<string, uint> FlagMasks => new()
    {
        { nameof(FspVolumeParams.CaseSensitiveSearch), 0x1 },
        { nameof(FspVolumeParams.CasePreservedNames), 0x2 },
        { nameof(FspVolumeParams.UnicodeOnDisk), 0x4 },
        { nameof(FspVolumeParams.PersistentAcls), 0x8 },
        { nameof(FspVolumeParams.ReparsePoints), 0x10 },
        { nameof(FspVolumeParams.ReparsePointsAccessCheck), 0x20 },
        { nameof(FspVolumeParams.NamedStreams), 0x40 },
        { nameof(FspVolumeParams.HardLinks), 0x80 },
        { nameof(FspVolumeParams.ExtendedAttributes), 0x100 },
        { nameof(FspVolumeParams.ReadOnlyVolume), 0x200 },
        { nameof(FspVolumeParams.PostCleanupWhenModifiedOnly), 0x400 },
        { nameof(FspVolumeParams.PassQueryDirectoryPattern), 0x800 },
        { nameof(FspVolumeParams.AlwaysUseDoubleBuffering), 0x1000 },
        { nameof(FspVolumeParams.PassQueryDirectoryFileName), 0x2000 },
        { nameof(FspVolumeParams.FlushAndPurgeOnCleanup), 0x4000 },
        { nameof(FspVolumeParams.DeviceControl), 0x8000 },
        { nameof(FspVolumeParams.UmFileContextIsUserContext2), 0x10000 },
        { nameof(FspVolumeParams.UmFileContextIsFullContext), 0x20000 },
        { nameof(FspVolumeParams.UmNoReparsePointsDirCheck), 0x40000 },
        { nameof(FspVolumeParams.AllowOpenInKernelMode), 0x1000000 },
        { nameof(FspVolumeParams.CasePreservedExtendedAttributes), 0x2000000 },
        { nameof(FspVolumeParams.WslFeatures), 0x4000000 },
        { nameof(FspVolumeParams.DirectoryMarkerAsNextOffset), 0x8000000 },
        { nameof(FspVolumeParams.RejectIrpPriorToTransact0), 0x10000000 },
        { nameof(FspVolumeParams.SupportsPosixUnlinkRename), 0x20000000 },
        { nameof(FspVolumeParams.PostDispositionWhenNecessaryOnly), 0x40000000 },
    };

    public static TheoryData<string, uint> V1FlagMasks => new()
    {
        { nameof(FspVolumeParams.VolumeInfoTimeoutValid), 0x1 },
        { nameof(FspVolumeParams.DirInfoTimeoutValid), 0x2 },
        { nameof(FspVolumeParams.SecurityTimeoutValid), 0x4 },
        { nameof(FspVolumeParams.StreamInfoTimeoutValid), 0x8 },
        { nameof(FspVolumeParams.EaTimeoutValid), 0x10 },
    };

    [Theory]
    [MemberData(nameof(FlagMasks))]
    public void FlagAccessorSetsAndClearsItsBit(string flag, uint mask)
    {
        object boxed = default(FspVolumeParams);
        var property = typeof(FspVolumeParams).GetProperty(flag)!;

        property.SetValue(boxed, true);
        Assert.Equal(mask, ((FspVolumeParams)boxed).Flags);
        Assert.Equal(0u, ((FspVolumeParams)boxed).FlagsV1);
        Assert.True((bool)property.GetValue(boxed)!);

        typeof(FspVolumeParams).GetField(nameof(FspVolumeParams.Flags))!.SetValue(boxed, uint.MaxValue);
        property.SetValue(boxed, false);
        Assert.Equal(~mask, ((FspVolumeParams)boxed).Flags);
    }

    [Theory]
    [MemberData(nameof(V1FlagMasks))]
    public void V1FlagAccessorSetsItsBitInTheSecondWord(string flag, uint mask)
    {
        object boxed = default(FspVolumeParams);
        typeof(FspVolumeParams).GetProperty(flag)!.SetValue(boxed, true);
        Assert.Equal(mask, ((FspVolumeParams)boxed).FlagsV1);
        Assert.Equal(0u, ((FspVolumeParams)boxed).Flags);
    }

    [Fact]
    public void PrefixAndFileSystemNameRoundTripAndRejectOverlongText()
    {
        var p = default(FspVolumeParams);
        p.PrefixText = @"\layered\vault";
        p.FileSystemNameText = "Layered";
        Assert.Equal(@"\layered\vault", p.PrefixText);
        Assert.Equal("Layered", p.FileSystemNameText);

        p.PrefixText = @"\a\b";
        Assert.Equal(@"\a\b", p.PrefixText);

        var error = Assert.Throws<ArgumentException>(() => p.FileSystemNameText = new string('x', 16));
        Assert.Contains("FileSystemNameText", error.Message, StringComparison.Ordinal);
    }
}
