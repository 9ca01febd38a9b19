namespace Layered.WinFsp.Tests.Support;

/// <summary>Hand-built self-relative security descriptors (the binary form WinFsp passes).</summary>
public static class SecurityDescriptors
{
    /// <summary>
    /// O:SY D:(A;;FA;;;WD): header (20) + owner SID S-1-5-18 at 20 (12 bytes) + DACL at 32 (28 bytes) = 60.
    /// </summary>
    public static byte[] OwnerSystemAllowEveryone() =>
    [
        // Revision 1, Sbz1, Control = SE_SELF_RELATIVE | SE_DACL_PRESENT
        0x01, 0x00, 0x04, 0x80,
        20, 0, 0, 0, // owner offset
        0, 0, 0, 0, // group offset (none)
        0, 0, 0, 0, // SACL offset (none)
        32, 0, 0, 0, // DACL offset
        // S-1-5-18
        0x01, 0x01, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0,
        // ACL: revision 2, sbz, AclSize 28, AceCount 1, sbz2
        0x02, 0x00, 28, 0, 1, 0, 0, 0,
        // ACCESS_ALLOWED_ACE: type 0, flags 0, size 20, mask FILE_ALL_ACCESS 0x001F01FF, SID S-1-1-0
        0x00, 0x00, 20, 0, 0xFF, 0x01, 0x1F, 0x00,
        0x01, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
    ];

    /// <summary>
    /// The same descriptor with the DACL first and the owner last (as a descriptor may legally be laid
    /// out), plus a group SID and an empty SACL: 20 + DACL 28 + SACL 8 + group 12 + owner S-1-5-32-544 16 = 84.
    /// </summary>
    public static byte[] ReorderedWithGroupAndSacl() =>
    [
        // Control = SE_SELF_RELATIVE | SE_SACL_PRESENT | SE_DACL_PRESENT
        0x01, 0x00, 0x14, 0x80,
        68, 0, 0, 0, // owner offset
        56, 0, 0, 0, // group offset
        48, 0, 0, 0, // SACL offset
        20, 0, 0, 0, // DACL offset
        0x02, 0x00, 28, 0, 1, 0, 0, 0,
        0x00, 0x00, 20, 0, 0xFF, 0x01, 0x1F, 0x00,
        0x01, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
        0x02, 0x00, 8, 0, 0, 0, 0, 0, // empty SACL
        0x01, 0x01, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, // group S-1-5-18
        0x01, 0x02, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0, // owner S-1-5-32-544 (16 bytes)
    ];
}
