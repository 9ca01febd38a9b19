using System.Buffers.Binary;

namespace Layered.Journal.Storage;

/// <summary>
/// The journal's own record of what the log must contain, independent of FasterLog's commit metadata:
/// <c>&lt;directory&gt;/superblock</c>, two 512-byte slots written in turn, each fsynced (the directory is fsynced
/// when the file is created). Layout, little-endian:
/// <code>
///  0 u32 magic "LJSB"  4 u32 version (1)  8 u64 journal id  16 i64 generation
/// 24 i64 checkpoint LSN (replay starts here)   32 i64 minimum committed-until address
/// 40 i64 sequence number of the checkpoint record   48 i32 page size bits   52 i32 segment size bits
/// 56 u32 CRC-32C of [0, 56)
/// </code>
/// After every open the recovered FasterLog state is checked against the newest valid slot: a log that comes
/// back empty or shorter than <see cref="MinCommittedUntil"/> (the lost-commit-file trap) is refused.
/// </summary>
internal sealed record Superblock(
    ulong JournalId, long Generation, long CheckpointLsn, long MinCommittedUntil, long CheckpointSequence,
    int PageSizeBits, int SegmentSizeBits)
{
    public const string FileName = "superblock";
    public const int SlotSize = 512;
    private const uint Magic = 0x42534A4C; // "LJSB"
    private const uint Version = 1;
    private const int CrcOffset = 56;

    public void Encode(Span<byte> slot)
    {
        slot[..SlotSize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], JournalId);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], Generation);
        BinaryPrimitives.WriteInt64LittleEndian(slot[24..], CheckpointLsn);
        BinaryPrimitives.WriteInt64LittleEndian(slot[32..], MinCommittedUntil);
        BinaryPrimitives.WriteInt64LittleEndian(slot[40..], CheckpointSequence);
        BinaryPrimitives.WriteInt32LittleEndian(slot[48..], PageSizeBits);
        BinaryPrimitives.WriteInt32LittleEndian(slot[52..], SegmentSizeBits);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[CrcOffset..], Crc32C.Compute(slot[..CrcOffset]));
    }

    public static Superblock? TryDecode(ReadOnlySpan<byte> slot)
    {
        if (slot.Length < SlotSize || BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]) != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(slot[CrcOffset..]) != Crc32C.Compute(slot[..CrcOffset]))
            return null;
        var result = new Superblock(
            BinaryPrimitives.ReadUInt64LittleEndian(slot[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[40..]),
            BinaryPrimitives.ReadInt32LittleEndian(slot[48..]),
            BinaryPrimitives.ReadInt32LittleEndian(slot[52..]));
        bool sane = result.PageSizeBits is >= 12 and <= 30 && result.SegmentSizeBits >= result.PageSizeBits
            && result.SegmentSizeBits <= 40 && result.CheckpointLsn >= 0 && result.MinCommittedUntil >= result.CheckpointLsn;
        return sane ? result : null;
    }
}
