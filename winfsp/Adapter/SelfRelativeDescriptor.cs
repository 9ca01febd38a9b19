using System.Buffers.Binary;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// Self-relative NT security descriptors in managed code (the layout of winnt.h SECURITY_DESCRIPTOR_RELATIVE,
/// SID and ACL), so SetSecurity's merge runs without the native FspSetSecurityDescriptor and can be tested here:
/// the parts named by SECURITY_INFORMATION come from the modification, the rest from the stored descriptor.
/// </summary>
public static class SelfRelativeDescriptor
{
    public const uint OwnerSecurityInformation = 0x1;
    public const uint GroupSecurityInformation = 0x2;
    public const uint DaclSecurityInformation = 0x4;
    public const uint SaclSecurityInformation = 0x8;
    public const uint ProtectedDaclSecurityInformation = 0x80000000;
    public const uint ProtectedSaclSecurityInformation = 0x40000000;
    public const uint UnprotectedDaclSecurityInformation = 0x20000000;
    public const uint UnprotectedSaclSecurityInformation = 0x10000000;

    private const int HeaderSize = 20;
    private const ushort OwnerDefaulted = 0x0001, GroupDefaulted = 0x0002, DaclPresent = 0x0004, DaclDefaulted = 0x0008;
    private const ushort SaclPresent = 0x0010, SaclDefaulted = 0x0020, DaclAutoInheritReq = 0x0100, SaclAutoInheritReq = 0x0200;
    private const ushort DaclAutoInherited = 0x0400, SaclAutoInherited = 0x0800, DaclProtected = 0x1000, SaclProtected = 0x2000;
    private const ushort SelfRelative = 0x8000;
    private const ushort DaclBits = DaclPresent | DaclDefaulted | DaclAutoInheritReq | DaclAutoInherited | DaclProtected;
    private const ushort SaclBits = SaclPresent | SaclDefaulted | SaclAutoInheritReq | SaclAutoInherited | SaclProtected;

    /// <summary>One parsed descriptor: its control word and the raw bytes of each part (null when absent).</summary>
    private readonly record struct Parts(ushort Control, byte[]? Owner, byte[]? Group, byte[]? Sacl, byte[]? Dacl);

    /// <summary>
    /// FspSetSecurityDescriptor's job: <paramref name="current"/> with the parts selected by
    /// <paramref name="securityInformation"/> replaced from <paramref name="modification"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Either descriptor is malformed (the message says how).</exception>
    public static byte[] Merge(ReadOnlySpan<byte> current, uint securityInformation, ReadOnlySpan<byte> modification)
    {
        var stored = Parse(current, nameof(current));
        var change = Parse(modification, nameof(modification));
        ushort control = SelfRelative;
        byte[]? owner = stored.Owner, group = stored.Group, sacl = stored.Sacl, dacl = stored.Dacl;
        control |= (ushort)(stored.Control & (OwnerDefaulted | GroupDefaulted | DaclBits | SaclBits));
        if ((securityInformation & OwnerSecurityInformation) != 0)
        {
            owner = change.Owner;
            control = (ushort)((control & ~OwnerDefaulted) | (change.Control & OwnerDefaulted));
        }
        if ((securityInformation & GroupSecurityInformation) != 0)
        {
            group = change.Group;
            control = (ushort)((control & ~GroupDefaulted) | (change.Control & GroupDefaulted));
        }
        if ((securityInformation & DaclSecurityInformation) != 0)
        {
            dacl = change.Dacl;
            control = (ushort)((control & ~DaclBits) | (change.Control & DaclBits));
        }
        if ((securityInformation & SaclSecurityInformation) != 0)
        {
            sacl = change.Sacl;
            control = (ushort)((control & ~SaclBits) | (change.Control & SaclBits));
        }
        if ((securityInformation & ProtectedDaclSecurityInformation) != 0)
            control |= DaclProtected;
        else if ((securityInformation & UnprotectedDaclSecurityInformation) != 0)
            control = (ushort)(control & ~DaclProtected);
        if ((securityInformation & ProtectedSaclSecurityInformation) != 0)
            control |= SaclProtected;
        else if ((securityInformation & UnprotectedSaclSecurityInformation) != 0)
            control = (ushort)(control & ~SaclProtected);
        return Build(control, owner, group, sacl, dacl);
    }

    /// <summary>
    /// The descriptor reported for a file that has none stored (created before descriptors were kept, or through
    /// the Linux host): memfs's default, O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;WD).
    /// </summary>
    public static byte[] Default()
    {
        const uint fileAllAccess = 0x001F01FF;
        byte[] system = Sid(5, 18), administrators = Sid(5, 32, 544), everyone = Sid(1, 0);
        byte[][] sids = [system, administrators, everyone];
        int aclSize = 8 + sids.Sum(s => 8 + s.Length);
        var acl = new byte[aclSize];
        acl[0] = 2; // ACL_REVISION
        BinaryPrimitives.WriteUInt16LittleEndian(acl.AsSpan(2), (ushort)aclSize);
        BinaryPrimitives.WriteUInt16LittleEndian(acl.AsSpan(4), (ushort)sids.Length);
        int offset = 8;
        foreach (var sid in sids)
        {
            acl[offset] = 0; // ACCESS_ALLOWED_ACE_TYPE, no inheritance flags
            BinaryPrimitives.WriteUInt16LittleEndian(acl.AsSpan(offset + 2), (ushort)(8 + sid.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(acl.AsSpan(offset + 4), fileAllAccess);
            sid.CopyTo(acl, offset + 8);
            offset += 8 + sid.Length;
        }
        return Build(SelfRelative | DaclPresent | DaclProtected, administrators, administrators, null, acl);
    }

    /// <summary>Checks that <paramref name="descriptor"/> is a well-formed self-relative descriptor.</summary>
    public static bool IsValid(ReadOnlySpan<byte> descriptor)
    {
        try
        {
            Parse(descriptor, nameof(descriptor));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The owner SID's bytes, or null (for tests and diagnostics).</summary>
    public static byte[]? OwnerOf(ReadOnlySpan<byte> descriptor) => Parse(descriptor, nameof(descriptor)).Owner;

    /// <summary>The DACL's bytes, or null when there is none.</summary>
    public static byte[]? DaclOf(ReadOnlySpan<byte> descriptor) => Parse(descriptor, nameof(descriptor)).Dacl;

    /// <summary>A SID from its identifier authority and sub-authorities.</summary>
    public static byte[] Sid(byte authority, params uint[] subAuthorities)
    {
        var sid = new byte[8 + (4 * subAuthorities.Length)];
        sid[0] = 1;
        sid[1] = (byte)subAuthorities.Length;
        sid[7] = authority;
        for (int i = 0; i < subAuthorities.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(sid.AsSpan(8 + (4 * i)), subAuthorities[i]);
        return sid;
    }

    private static Parts Parse(ReadOnlySpan<byte> sd, string what)
    {
        if (sd.Length < HeaderSize || sd[0] != 1)
            throw new ArgumentException($"The {what} security descriptor is not a revision-1 descriptor of at least {HeaderSize} bytes.", what);
        ushort control = BinaryPrimitives.ReadUInt16LittleEndian(sd[2..]);
        if ((control & SelfRelative) == 0)
            throw new ArgumentException($"The {what} security descriptor is not self-relative.", what);
        byte[]? owner = SidAt(sd, BinaryPrimitives.ReadUInt32LittleEndian(sd[4..]), what);
        byte[]? group = SidAt(sd, BinaryPrimitives.ReadUInt32LittleEndian(sd[8..]), what);
        byte[]? sacl = (control & SaclPresent) != 0 ? AclAt(sd, BinaryPrimitives.ReadUInt32LittleEndian(sd[12..]), what) : null;
        byte[]? dacl = (control & DaclPresent) != 0 ? AclAt(sd, BinaryPrimitives.ReadUInt32LittleEndian(sd[16..]), what) : null;
        return new Parts(control, owner, group, sacl, dacl);
    }

    private static byte[]? SidAt(ReadOnlySpan<byte> sd, uint offset, string what)
    {
        if (offset == 0)
            return null;
        if (offset < HeaderSize || offset + 8 > (uint)sd.Length || sd[(int)offset] != 1)
            throw new ArgumentException($"The {what} security descriptor has a SID outside its bytes or of an unknown revision.", what);
        int length = 8 + (4 * sd[(int)offset + 1]);
        if (offset + length > (uint)sd.Length)
            throw new ArgumentException($"The {what} security descriptor has a SID that runs past its end.", what);
        return sd.Slice((int)offset, length).ToArray();
    }

    // A null DACL (present bit with offset 0) grants everyone everything; it is kept as "present, no bytes".
    private static byte[]? AclAt(ReadOnlySpan<byte> sd, uint offset, string what)
    {
        if (offset == 0)
            return [];
        if (offset < HeaderSize || offset + 8 > (uint)sd.Length)
            throw new ArgumentException($"The {what} security descriptor has an ACL outside its bytes.", what);
        int size = BinaryPrimitives.ReadUInt16LittleEndian(sd[((int)offset + 2)..]);
        if (size < 8 || offset + size > (uint)sd.Length)
            throw new ArgumentException($"The {what} security descriptor has an ACL that runs past its end.", what);
        return sd.Slice((int)offset, size).ToArray();
    }

    private static byte[] Build(ushort control, byte[]? owner, byte[]? group, byte[]? sacl, byte[]? dacl)
    {
        if (sacl is null) control = (ushort)(control & ~SaclBits);
        if (dacl is null) control = (ushort)(control & ~DaclBits);
        if (sacl is not null) control |= SaclPresent;
        if (dacl is not null) control |= DaclPresent;
        int length = HeaderSize + (owner?.Length ?? 0) + (group?.Length ?? 0) + (sacl?.Length ?? 0) + (dacl?.Length ?? 0);
        var result = new byte[length];
        result[0] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(2), control);
        int offset = HeaderSize;
        Place(result, 4, owner, ref offset);
        Place(result, 8, group, ref offset);
        Place(result, 12, sacl, ref offset);
        Place(result, 16, dacl, ref offset);
        return result;
    }

    private static void Place(byte[] result, int offsetField, byte[]? part, ref int offset)
    {
        if (part is null || part.Length == 0)
            return; // absent, or a null ACL: offset 0
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(offsetField), (uint)offset);
        part.CopyTo(result, offset);
        offset += part.Length;
    }
}
