using Layered.WinFsp.Adapter;
using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>Security descriptors: stored per file (sealed by the engine), merged per SECURITY_INFORMATION.</summary>
[Trait("Area", "WinFsp")]
public sealed class AdapterSecurityTests
{
    private static readonly byte[] Users = SelfRelativeDescriptor.Sid(5, 32, 545);

    /// <summary>A self-relative descriptor with only an owner.</summary>
    private static byte[] OwnerOnly(byte[] sid)
    {
        var sd = new byte[20 + sid.Length];
        sd[0] = 1;
        sd[2] = 0x00;
        sd[3] = 0x80; // SE_SELF_RELATIVE
        BitConverter.TryWriteBytes(sd.AsSpan(4), 20);
        sid.CopyTo(sd, 20);
        return sd;
    }

    [Fact]
    public void MergeReplacesOnlyTheSelectedParts()
    {
        var stored = SelfRelativeDescriptor.Default();
        var merged = SelfRelativeDescriptor.Merge(stored, SelfRelativeDescriptor.OwnerSecurityInformation, OwnerOnly(Users));
        Assert.Equal(Users, SelfRelativeDescriptor.OwnerOf(merged));
        Assert.Equal(SelfRelativeDescriptor.DaclOf(stored), SelfRelativeDescriptor.DaclOf(merged));
        Assert.True(SelfRelativeDescriptor.IsValid(merged));

        var noDacl = SelfRelativeDescriptor.Merge(stored, SelfRelativeDescriptor.DaclSecurityInformation, OwnerOnly(Users));
        Assert.Null(SelfRelativeDescriptor.DaclOf(noDacl));
        Assert.Equal(SelfRelativeDescriptor.OwnerOf(stored), SelfRelativeDescriptor.OwnerOf(noDacl));
    }

    [Fact]
    public void AMalformedDescriptorIsRefused()
    {
        var truncated = SelfRelativeDescriptor.Default()[..30];
        Assert.False(SelfRelativeDescriptor.IsValid(truncated));
        Assert.Throws<ArgumentException>(() => SelfRelativeDescriptor.Merge(SelfRelativeDescriptor.Default(), 1, truncated));
    }

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Directory)]
    public void TheDescriptorGivenAtCreateIsStoredAndSetSecurityMergesIntoIt(StoreKind kind)
    {
        using var v = new AdapterVolume(kind);
        var initial = SelfRelativeDescriptor.Default();
        Assert.Equal(NtStatus.Success, v.Adapter.Create(@"\secret", AdapterVolume.FileCreate, 0x1F01FF, 0, initial, 0, [], false, out var file, out _, out _));
        Assert.Equal(NtStatus.Success, v.Adapter.GetSecurity(file!, out var got));
        Assert.Equal(initial, got);

        Assert.Equal(NtStatus.Success, v.Adapter.SetSecurity(file!, SelfRelativeDescriptor.OwnerSecurityInformation, OwnerOnly(Users)));
        Assert.Equal(NtStatus.InvalidSecurityDescr, v.Adapter.SetSecurity(file!, SelfRelativeDescriptor.OwnerSecurityInformation, new byte[8]));
        v.CloseHandle(file!);
        v.Remount();

        Assert.Equal(NtStatus.Success, v.Adapter.GetSecurityByName(@"\SECRET", true, out _, out var byName));
        Assert.Equal(Users, SelfRelativeDescriptor.OwnerOf(byName!));
        Assert.Equal(SelfRelativeDescriptor.DaclOf(initial), SelfRelativeDescriptor.DaclOf(byName!));
    }
}
