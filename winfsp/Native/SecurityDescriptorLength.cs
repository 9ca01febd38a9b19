namespace Layered.WinFsp.Native;

/// <summary>
/// Length of a self-relative SECURITY_DESCRIPTOR, computed from its own offsets (the managed equivalent
/// of GetSecurityDescriptorLength, so no advapi32 call is needed). WinFsp hands the file system
/// self-relative descriptors without a length (Create, SetSecurity).
/// </summary>
public static unsafe class SecurityDescriptorLength
{
    private const int HeaderSize = 20;
    private const byte Revision1 = 1;
    private const ushort SeDaclPresent = 0x0004;
    private const ushort SeSaclPresent = 0x0010;
    private const ushort SeSelfRelative = 0x8000;

    /// <summary>
    /// The byte length of the self-relative descriptor at <paramref name="descriptor"/>: the end of the
    /// furthest of its header, owner SID, group SID, SACL and DACL.
    /// </summary>
    /// <exception cref="ArgumentException">Not a revision-1 self-relative descriptor.</exception>
    public static int Of(byte* descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        byte revision = descriptor[0];
        ushort control = ReadUInt16(descriptor + 2);
        if (revision != Revision1 || (control & SeSelfRelative) == 0)
        {
            throw new ArgumentException(
                $"Not a self-relative security descriptor (revision {revision}, control 0x{control:X4}).", nameof(descriptor));
        }

        uint owner = ReadUInt32(descriptor + 4);
        uint group = ReadUInt32(descriptor + 8);
        uint sacl = ReadUInt32(descriptor + 12);
        uint dacl = ReadUInt32(descriptor + 16);

        long end = HeaderSize;
        end = Math.Max(end, SidEnd(descriptor, owner));
        end = Math.Max(end, SidEnd(descriptor, group));
        if ((control & SeSaclPresent) != 0)
        {
            end = Math.Max(end, AclEnd(descriptor, sacl));
        }

        if ((control & SeDaclPresent) != 0)
        {
            end = Math.Max(end, AclEnd(descriptor, dacl));
        }

        return checked((int)end);
    }

    // SID: Revision(1) SubAuthorityCount(1) IdentifierAuthority(6) SubAuthority[count](4 each).
    private static long SidEnd(byte* descriptor, uint offset) =>
        offset == 0 ? 0 : offset + 8L + (4L * descriptor[offset + 1]);

    // ACL: AclRevision(1) Sbz1(1) AclSize(2) AceCount(2) Sbz2(2); AclSize covers the whole ACL.
    private static long AclEnd(byte* descriptor, uint offset) =>
        offset == 0 ? 0 : offset + (long)ReadUInt16(descriptor + offset + 2);

    private static ushort ReadUInt16(byte* p) => (ushort)(p[0] | (p[1] << 8));

    private static uint ReadUInt32(byte* p) => (uint)(p[0] | (p[1] << 8) | (p[2] << 16) | (p[3] << 24));
}
