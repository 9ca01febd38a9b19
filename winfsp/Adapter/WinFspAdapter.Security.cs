using Layered.Fsd;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Adapter;

// Security descriptors: stored per file by the engine (sealed, journaled); merged here in managed code.
public sealed partial class WinFspAdapter
{
    public override int GetSecurity(object fileContext, out byte[]? securityDescriptor)
    {
        var status = _volume.GetSecurity(Context(fileContext).Handle, out securityDescriptor);
        if (status != FsStatus.Success)
            return Status(status);
        securityDescriptor ??= SelfRelativeDescriptor.Default();
        return NtStatus.Success;
    }

    /// <summary>Merges the parts named by <paramref name="securityInformation"/> into the stored descriptor and
    /// stores the result; a malformed descriptor is STATUS_INVALID_SECURITY_DESCR.</summary>
    public override int SetSecurity(object fileContext, uint securityInformation, ReadOnlySpan<byte> modificationDescriptor)
    {
        var file = Context(fileContext);
        var status = _volume.GetSecurity(file.Handle, out var current);
        if (status != FsStatus.Success)
            return Status(status);
        byte[] merged;
        try
        {
            merged = SelfRelativeDescriptor.Merge(current ?? SelfRelativeDescriptor.Default(), securityInformation, modificationDescriptor);
        }
        catch (ArgumentException)
        {
            return NtStatus.InvalidSecurityDescr;
        }
        return Status(_volume.SetSecurity(file.Handle, merged));
    }
}
