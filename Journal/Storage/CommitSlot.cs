using System.Buffers.Binary;

namespace Layered.Journal.Storage;

/// <summary>
/// One commit point as stored in a slot of a segment's trailer (format version 2, little-endian):
/// <code>
///  0 u32 magic "LJCM"   4 u32 version (2)   8 u64 journal id   16 i64 commit number
/// 24 i64 begin address  32 i64 until address 40 i64 sequence number of the last record below until
/// 48 i32 segment number (the file the slot is in)   52 u32 CRC-32C of the log bytes [data from, until)
/// 56 i64 data from      64 i32 FasterLog metadata length M   68 M bytes FasterLog metadata
/// 68+M u32 CRC-32C of [0, 68+M)
/// </code>
/// The data CRC covers what this commit wrote into the slot's segment (from the sector of the previous commit point
/// that FasterLog rewrites, or the segment start). The trailer and that data are made durable by one fdatasync, in
/// no particular order, so after a power loss a slot can be intact while its data is not: the data CRC tells.
/// A slot that fails any check of its own reads as absent: FasterLog is then told there is no such commit, instead
/// of being handed half-parsed addresses (its own metadata checksum is not enforced, fasterlog.md §10.2).
/// </summary>
internal sealed record CommitSlot(
    ulong JournalId, long CommitNumber, long BeginAddress, long UntilAddress, long LastSequence,
    int Segment, long DataFrom, uint DataCrc, byte[] Metadata)
{
    /// <summary>One 4 KiB page per slot, so rewriting one slot never touches the page of the other.</summary>
    public const int SlotSize = 4096;
    public const int SlotCount = 2;
    /// <summary>Bytes after a segment's FasterLog data: the two slots.</summary>
    public const int TrailerSize = SlotSize * SlotCount;
    internal const uint Magic = 0x4D434A4C; // "LJCM"
    internal const uint Version = 2;
    private const int FixedSize = 68;
    public const int MaxMetadata = SlotSize - FixedSize - 4;

    public int Encode(Span<byte> slot)
    {
        if (Metadata.Length > MaxMetadata)
            throw new InvalidOperationException($"FasterLog commit metadata of {Metadata.Length} bytes exceeds the {MaxMetadata}-byte commit slot");
        slot[..SlotSize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], JournalId);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], CommitNumber);
        BinaryPrimitives.WriteInt64LittleEndian(slot[24..], BeginAddress);
        BinaryPrimitives.WriteInt64LittleEndian(slot[32..], UntilAddress);
        BinaryPrimitives.WriteInt64LittleEndian(slot[40..], LastSequence);
        BinaryPrimitives.WriteInt32LittleEndian(slot[48..], Segment);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[52..], DataCrc);
        BinaryPrimitives.WriteInt64LittleEndian(slot[56..], DataFrom);
        BinaryPrimitives.WriteInt32LittleEndian(slot[64..], Metadata.Length);
        Metadata.CopyTo(slot[FixedSize..]);
        int crcOffset = FixedSize + Metadata.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(slot[crcOffset..], Crc32C.Compute(slot[..crcOffset]));
        return SlotSize;
    }

    /// <summary>Parses a slot; null when it is empty, damaged, from another journal or another segment, or of another
    /// format version.</summary>
    public static CommitSlot? TryDecode(ReadOnlySpan<byte> slot, ulong expectedJournalId, int expectedSegment)
    {
        if (slot.Length < SlotSize || BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]) != Version)
            return null;
        int length = BinaryPrimitives.ReadInt32LittleEndian(slot[64..]);
        if (length < 0 || length > MaxMetadata)
            return null;
        int crcOffset = FixedSize + length;
        if (BinaryPrimitives.ReadUInt32LittleEndian(slot[crcOffset..]) != Crc32C.Compute(slot[..crcOffset]))
            return null;
        var result = new CommitSlot(
            BinaryPrimitives.ReadUInt64LittleEndian(slot[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[40..]),
            BinaryPrimitives.ReadInt32LittleEndian(slot[48..]),
            BinaryPrimitives.ReadInt64LittleEndian(slot[56..]),
            BinaryPrimitives.ReadUInt32LittleEndian(slot[52..]),
            slot.Slice(FixedSize, length).ToArray());
        bool sane = result.JournalId == expectedJournalId && result.Segment == expectedSegment
            && result.BeginAddress >= 0 && result.BeginAddress <= result.UntilAddress
            && result.DataFrom <= result.UntilAddress && result.DataFrom >= 0;
        return sane ? result : null;
    }

    /// <summary>True when the slot was never written (all zero), as opposed to damaged.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> slot) => !slot[..SlotSize].ContainsAnyExcept((byte)0);
}
