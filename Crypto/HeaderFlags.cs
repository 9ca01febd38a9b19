namespace Layered.Crypto;

/// <summary>
/// Bits of the header's flags word. Bit 0: the file's body is a sealed symlink target. Bits 1..31 are
/// reserved: written as zero, and a header carrying any of them is refused on read (it was written by a
/// newer format that this code cannot interpret).
/// </summary>
[Flags]
public enum HeaderFlags : uint
{
    None = 0,
    Symlink = 1,
}

internal static class HeaderFlagBits
{
    public const HeaderFlags Known = HeaderFlags.Symlink;
}
