using System.Buffers.Binary;

namespace Layered.Journal.Storage;

/// <summary>
/// The journal's own record of what the log must contain, independent of FasterLog's commit metadata:
/// <c>&lt;directory&gt;/superblock</c>, two 512-byte slots written in turn, each fsynced (the directory is fsynced
/// when the file is created). Layout (format version 2), little-endian:
/// <code>
///  0 u32 magic "LJSB"  4 u32 version (2)  8 u64 journal id  16 i64 generation
/// 24 i64 checkpoint LSN (replay starts here)   32 i64 minimum committed-until address
/// 40 i64 sequence number of the checkpoint record   48 i32 page size bits   52 i32 segment size bits
/// 56 i32 highest segment created (-1: none yet)   60 u32 CRC-32C of [0, 60)
/// </code>
/// After every open the recovered state is checked against the newest valid slot: a log that comes back empty or
/// shorter than <see cref="MinCommittedUntil"/> is refused, and so is a missing segment up to
/// <see cref="HighestSegment"/> — the commit point lives in the newest segment's trailer, so losing that file must
/// not read as the older commit point of the segment before it.
/// </summary>
internal sealed record Superblock(
    ulong JournalId, long Generation, long CheckpointLsn, long MinCommittedUntil, long CheckpointSequence,
    int PageSizeBits, int SegmentSizeBits, int HighestSegment)
{
    public const string FileName = "superblock";
    public const int SlotSize = 512;
    private const uint Magic = 0x42534A4C; // "LJSB"
    public const uint Version = 2;
    private const int CrcOffset = 60;

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
        BinaryPrimitives.WriteInt32LittleEndian(slot[56..], HighestSegment);
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
            BinaryPrimitives.ReadInt32LittleEndian(slot[52..]),
            BinaryPrimitives.ReadInt32LittleEndian(slot[56..]));
        bool sane = result.PageSizeBits is >= 12 and <= 30 && result.SegmentSizeBits >= result.PageSizeBits
            && result.SegmentSizeBits <= 40 && result.CheckpointLsn >= 0 && result.MinCommittedUntil >= result.CheckpointLsn
            && result.HighestSegment >= -1;
        return sane ? result : null;
    }

    /// <summary>The format version of a slot that carries the superblock magic, or null when it does not: tells a
    /// journal written by another format version from a damaged one.</summary>
    public static uint? FormatVersionOf(ReadOnlySpan<byte> slot) =>
        slot.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(slot) == Magic
            ? BinaryPrimitives.ReadUInt32LittleEndian(slot[4..])
            : null;
}
