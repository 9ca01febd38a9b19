using System.Buffers.Binary;

namespace Layered.Journal.Storage;

/// <summary>
/// One commit point as stored in a slot of the commit file (format, little-endian):
/// <code>
///  0 u32 magic "LJCM"   4 u32 version (1)   8 u64 journal id   16 i64 commit number
/// 24 i64 begin address  32 i64 until address 40 i64 sequence number of the last record below until
/// 48 i32 FasterLog metadata length M   52 M bytes FasterLog metadata   52+M u32 CRC-32C of [0, 52+M)
/// </code>
/// A slot that fails any check reads as absent: FasterLog is then told there is no such commit, instead of
/// being handed half-parsed addresses (its own metadata checksum is not enforced, fasterlog.md §10.2).
/// </summary>
internal sealed record CommitSlot(ulong JournalId, long CommitNumber, long BeginAddress, long UntilAddress, long LastSequence, byte[] Metadata)
{
    public const int SlotSize = 4096;
    private const uint Magic = 0x4D434A4C; // "LJCM"
    private const uint Version = 1;
    private const int FixedSize = 52;
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
        BinaryPrimitives.WriteInt32LittleEndian(slot[48..], Metadata.Length);
        Metadata.CopyTo(slot[FixedSize..]);
        int crcOffset = FixedSize + Metadata.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(slot[crcOffset..], Crc32C.Compute(slot[..crcOffset]));
        return SlotSize;
    }

    /// <summary>Parses a slot; null when it is empty, damaged or from another journal.</summary>
    public static CommitSlot? TryDecode(ReadOnlySpan<byte> slot, ulong expectedJournalId)
    {
        if (slot.Length < SlotSize || BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]) != Version)
            return null;
        int length = BinaryPrimitives.ReadInt32LittleEndian(slot[48..]);
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
            slot.Slice(FixedSize, length).ToArray());
        return result.JournalId == expectedJournalId ? result : null;
    }

    /// <summary>True when the slot was never written (all zero), as opposed to damaged.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> slot) => !slot[..SlotSize].ContainsAnyExcept((byte)0);
}
