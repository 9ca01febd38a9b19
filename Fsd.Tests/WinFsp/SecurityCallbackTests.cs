using Layered.WinFsp.Native;
using Layered.WinFsp.Tests.Support;

namespace Layered.WinFsp.Tests;

/// <summary>Security descriptors across the boundary: the size protocol and exact lengths.</summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class SecurityCallbackTests : IDisposable
{
    private readonly byte[] _descriptor = SecurityDescriptors.OwnerSystemAllowEveryone();
    private readonly MemoryFileSystem _fs = new(new RecordingLogger());
    private readonly NativeFileSystem _native;

    public SecurityCallbackTests()
    {
        _fs.AddFile(@"\secret.txt", [1], _descriptor);
        _native = new NativeFileSystem(_fs);
    }

    public void Dispose() => _native.Dispose();

    [Fact]
    public void GetSecurityByNameAsksForMoreRoomThenCopiesTheDescriptor()
    {
        using var name = NativeBuffer.FromString(@"\SECRET.TXT");
        using var small = new NativeBuffer(16);
        uint attributes = 0;
        nuint size = 16;

        Assert.Equal(NtStatus.BufferOverflow, Thunks.GetSecurityByName(_native.Pointer, name.AsChars, &attributes, small.Pointer, &size));
        Assert.Equal((nuint)_descriptor.Length, size);
        Assert.All(small.Span.ToArray(), b => Assert.Equal(NativeBuffer.Poison, b));

        using var large = new NativeBuffer(1024);
        size = 1024;
        Assert.Equal(NtStatus.Success, Thunks.GetSecurityByName(_native.Pointer, name.AsChars, &attributes, large.Pointer, &size));
        Assert.Equal((nuint)_descriptor.Length, size);
        Assert.Equal(_descriptor, large.Span[.._descriptor.Length].ToArray());
        Assert.Equal(FileAttributeBits.Archive, attributes);
    }

    [Fact]
    public void GetSecurityByNameAcceptsNullOutParametersAndReportsMissingNames()
    {
        using var name = NativeBuffer.FromString(@"\secret.txt");
        Assert.Equal(NtStatus.Success, Thunks.GetSecurityByName(_native.Pointer, name.AsChars, null, null, null));

        uint attributes = 0;
        Assert.Equal(NtStatus.Success, Thunks.GetSecurityByName(_native.Pointer, name.AsChars, &attributes, null, null));
        Assert.Equal(FileAttributeBits.Archive, attributes);

        using var missing = NativeBuffer.FromString(@"\missing");
        nuint size = 64;
        Assert.Equal(NtStatus.ObjectNameNotFound, Thunks.GetSecurityByName(_native.Pointer, missing.AsChars, &attributes, null, &size));
        Assert.Equal((nuint)64, size);
    }

    [Fact]
    public void GetSecurityAndSetSecurityUseTheDescriptorsOwnLength()
    {
        nint file = Thunks.OpenPath(_native, @"\secret.txt");
        byte[] replacement = SecurityDescriptors.ReorderedWithGroupAndSacl();
        using var input = new NativeBuffer(replacement.Length + 32);
        replacement.CopyTo(input.Span);

        Assert.Equal(NtStatus.Success, Thunks.SetSecurity(_native.Pointer, file, 4, input.Pointer));
        Assert.Equal(replacement, _fs.Get(@"\secret.txt").SecurityDescriptor);

        nuint size = 8;
        using var output = new NativeBuffer(256);
        Assert.Equal(NtStatus.BufferOverflow, Thunks.GetSecurity(_native.Pointer, file, output.Pointer, &size));
        Assert.Equal((nuint)84, size);
        size = 256;
        Assert.Equal(NtStatus.Success, Thunks.GetSecurity(_native.Pointer, file, output.Pointer, &size));
        Assert.Equal(replacement, output.Span[..84].ToArray());
        Thunks.Close(_native.Pointer, file);
    }

    [Fact]
    public void DescriptorLengthIsTheEndOfItsFurthestPart()
    {
        fixed (byte* first = SecurityDescriptors.OwnerSystemAllowEveryone())
        fixed (byte* second = SecurityDescriptors.ReorderedWithGroupAndSacl())
        {
            Assert.Equal(60, SecurityDescriptorLength.Of(first));
            Assert.Equal(84, SecurityDescriptorLength.Of(second));
        }
    }

    [Fact]
    public void AnAbsoluteOrWrongRevisionDescriptorIsRejected()
    {
        byte[] absolute = SecurityDescriptors.OwnerSystemAllowEveryone();
        absolute[3] = 0x00; // clear SE_SELF_RELATIVE
        byte[] revision2 = SecurityDescriptors.OwnerSystemAllowEveryone();
        revision2[0] = 2;
        fixed (byte* a = absolute)
        fixed (byte* r = revision2)
        {
            byte* pa = a;
            byte* pr = r;
            Assert.Contains("self-relative", Assert.Throws<ArgumentException>(() => SecurityDescriptorLength.Of(pa)).Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => SecurityDescriptorLength.Of(pr));
        }
    }
}
