using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Layered.Journal;

/// <summary>
/// The binary encoding of journal records (format version 1), little-endian:
/// <code>
/// offset 0  u8   format version (1)
///        1  u8   kind (RecordKind)
///        2  u16  reserved, 0
///        4  u32  body length B
///        8  u64  sequence number (dense: +1 per record, across the whole journal)
///       16  B    body: the record's fields in declaration order
///   16 + B  u32  CRC-32C of bytes [0, 16 + B)
/// </code>
/// Field encodings: UInt128 16 bytes; string u32 byte count + UTF-8; byte[] u32 length + bytes; nullable
/// byte[] i32 length (-1 = null) + bytes; enums as their underlying integer. A record is never empty (the
/// header alone is 20 bytes), which keeps FasterLog's "zero length means page padding" trap away.
/// Decoding checks the CRC first, then every length, enum value and that the body is consumed exactly.
/// </summary>
public static class JournalRecordCodec
{
    public const byte FormatVersion = 1;
    public const int HeaderSize = 16;
    public const int TrailerSize = 4;
    public const int Overhead = HeaderSize + TrailerSize;

    /// <summary>Total encoded size of <paramref name="record"/> (header, body, CRC).</summary>
    public static int GetEncodedLength(JournalRecord record) => checked(Overhead + BodyLength(record));

    /// <summary>Encodes into <paramref name="destination"/>, which must hold <see cref="GetEncodedLength"/> bytes;
    /// returns the count written.</summary>
    public static int Encode(JournalRecord record, long sequence, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(record);
        int bodyLength = BodyLength(record);
        int total = checked(Overhead + bodyLength);
        if (destination.Length < total)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the record needs {total}", nameof(destination));

        var writer = new RecordSpanWriter(destination);
        writer.Byte(FormatVersion);
        writer.Byte((byte)KindOf(record));
        writer.UInt16(0);
        writer.UInt32((uint)bodyLength);
        writer.Int64(sequence);
        WriteBody(ref writer, record);
        if (writer.Position != HeaderSize + bodyLength)
            throw new InvalidOperationException($"encoder wrote {writer.Position - HeaderSize} body bytes, sized {bodyLength}");
        uint crc = Crc32C.Compute(destination[..writer.Position]);
        writer.UInt32(crc);
        return total;
    }

    /// <summary>Encodes into a buffer writer; returns the count written.</summary>
    public static int Encode(JournalRecord record, long sequence, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int total = GetEncodedLength(record);
        int written = Encode(record, sequence, output.GetSpan(total));
        output.Advance(written);
        return written;
    }

    /// <summary>Decodes one record that occupies all of <paramref name="encoded"/>. Throws
    /// <see cref="JournalRecordFormatException"/> with the reason when it is damaged.</summary>
    public static JournalRecord Decode(ReadOnlySpan<byte> encoded, out long sequence)
    {
        if (encoded.Length < Overhead)
            throw new JournalRecordFormatException($"record is {encoded.Length} bytes, shorter than the {Overhead}-byte minimum");
        uint bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(encoded[4..]);
        if (bodyLength != (uint)(encoded.Length - Overhead))
            throw new JournalRecordFormatException($"record declares a {bodyLength}-byte body but holds {encoded.Length - Overhead}");
        int crcOffset = encoded.Length - TrailerSize;
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(encoded[crcOffset..]);
        uint actualCrc = Crc32C.Compute(encoded[..crcOffset]);
        if (storedCrc != actualCrc)
            throw new JournalRecordFormatException($"CRC-32C mismatch (stored 0x{storedCrc:x8}, computed 0x{actualCrc:x8})");
        if (encoded[0] != FormatVersion)
            throw new JournalRecordFormatException($"unknown record format version {encoded[0]}");
        if (BinaryPrimitives.ReadUInt16LittleEndian(encoded[2..]) != 0)
            throw new JournalRecordFormatException("reserved header bits are set");
        sequence = BinaryPrimitives.ReadInt64LittleEndian(encoded[8..]);

        var reader = new RecordSpanReader(encoded[HeaderSize..crcOffset]);
        JournalRecord record = ReadBody(ref reader, (RecordKind)encoded[1]);
        if (reader.Remaining != 0)
            throw new JournalRecordFormatException($"{reader.Remaining} unexpected bytes after the fields of a {(RecordKind)encoded[1]} record");
        return record;
    }

    /// <summary>Reads only the sequence number of an encoded record (no validation).</summary>
    internal static long PeekSequence(ReadOnlySpan<byte> encoded) => BinaryPrimitives.ReadInt64LittleEndian(encoded[8..]);

    private static RecordKind KindOf(JournalRecord record) => record switch
    {
        CreateRecord => RecordKind.Create,
        RenameRecord => RecordKind.Rename,
        RemoveRecord => RecordKind.Remove,
        LinkRecord => RecordKind.Link,
        OrphanRecord => RecordKind.Orphan,
        OrphanFreedRecord => RecordKind.OrphanFreed,
        SetSizeRecord => RecordKind.SetSize,
        SetAttributesRecord => RecordKind.SetAttributes,
        SetSecurityRecord => RecordKind.SetSecurity,
        SetXattrRecord => RecordKind.SetXattr,
        ChunkImageRecord => RecordKind.ChunkImage,
        CheckpointRecord => RecordKind.Checkpoint,
        _ => throw new ArgumentException($"unknown record type {record.GetType().Name}", nameof(record)),
    };

    private static int Str(string value) => 4 + Encoding.UTF8.GetByteCount(value ?? throw new ArgumentNullException(nameof(value), "a record string field is null"));
    private static int Blob(byte[] value) => 4 + (value ?? throw new ArgumentNullException(nameof(value), "a record byte[] field is null")).Length;
    private const int Id = 16;

    private static int BodyLength(JournalRecord record) => record switch
    {
        CreateRecord r => Id + Str(r.Path) + 1 + 4 + 4 + 4 + 4 + 8 + Blob(r.Payload),
        RenameRecord r => Id + Str(r.FromPath) + Str(r.ToPath) + Id + 1,
        RemoveRecord r => Id + Str(r.Path) + 1,
        LinkRecord r => Id + Str(r.ExistingPath) + Str(r.NewPath),
        OrphanRecord r => Id + Str(r.Path) + Str(r.OrphanPath),
        OrphanFreedRecord r => Id + Str(r.OrphanPath),
        SetSizeRecord r => Id + Str(r.Path) + 8 + 8,
        SetAttributesRecord r => Id + Str(r.Path) + 2 + 4 + 4 + 4 + 4 + 8 * 4,
        SetSecurityRecord r => Id + Str(r.Path) + Blob(r.Descriptor),
        SetXattrRecord r => Id + Str(r.Path) + Str(r.Name) + 4 + (r.Value?.Length ?? 0),
        ChunkImageRecord r => Id + Str(r.Path) + 8 + Blob(r.StoredChunk) + 8 + 8,
        CheckpointRecord => 8,
        _ => throw new ArgumentException($"unknown record type {record.GetType().Name}", nameof(record)),
    };

    private static void WriteBody(ref RecordSpanWriter w, JournalRecord record)
    {
        switch (record)
        {
            case CreateRecord r:
                w.Id(r.FileId); w.String(r.Path); w.Byte((byte)r.Kind); w.UInt32(r.Mode); w.Int32(r.Uid); w.Int32(r.Gid);
                w.UInt32(r.Attributes); w.Int64(r.CreationTime); w.Blob(r.Payload);
                break;
            case RenameRecord r:
                w.Id(r.FileId); w.String(r.FromPath); w.String(r.ToPath); w.Id(r.ReplacedFileId); w.Byte((byte)r.Mode);
                break;
            case RemoveRecord r:
                w.Id(r.FileId); w.String(r.Path); w.Byte((byte)r.Kind);
                break;
            case LinkRecord r:
                w.Id(r.FileId); w.String(r.ExistingPath); w.String(r.NewPath);
                break;
            case OrphanRecord r:
                w.Id(r.FileId); w.String(r.Path); w.String(r.OrphanPath);
                break;
            case OrphanFreedRecord r:
                w.Id(r.FileId); w.String(r.OrphanPath);
                break;
            case SetSizeRecord r:
                w.Id(r.FileId); w.String(r.Path); w.Int64(r.Eof); w.Int64(r.Vdl);
                break;
            case SetAttributesRecord r:
                w.Id(r.FileId); w.String(r.Path); w.UInt16((ushort)r.Fields); w.UInt32(r.Mode); w.Int32(r.Uid); w.Int32(r.Gid);
                w.UInt32(r.Attributes); w.Int64(r.CreationTime); w.Int64(r.LastAccessTime); w.Int64(r.LastWriteTime); w.Int64(r.ChangeTime);
                break;
            case SetSecurityRecord r:
                w.Id(r.FileId); w.String(r.Path); w.Blob(r.Descriptor);
                break;
            case SetXattrRecord r:
                w.Id(r.FileId); w.String(r.Path); w.String(r.Name); w.NullableBlob(r.Value);
                break;
            case ChunkImageRecord r:
                w.Id(r.FileId); w.String(r.Path); w.Int64(r.ChunkIndex); w.Blob(r.StoredChunk); w.Int64(r.Eof); w.Int64(r.Vdl);
                break;
            case CheckpointRecord r:
                w.Int64(r.CheckpointLsn);
                break;
            default:
                throw new ArgumentException($"unknown record type {record.GetType().Name}", nameof(record));
        }
    }

    private static JournalRecord ReadBody(ref RecordSpanReader r, RecordKind kind) => kind switch
    {
        RecordKind.Create => new CreateRecord(r.Id("FileId"), r.String("Path"), r.NodeKind("Kind"), r.UInt32("Mode"), r.Int32("Uid"),
            r.Int32("Gid"), r.UInt32("Attributes"), r.Int64("CreationTime"), r.Blob("Payload")),
        RecordKind.Rename => new RenameRecord(r.Id("FileId"), r.String("FromPath"), r.String("ToPath"), r.Id("ReplacedFileId"),
            r.RenameMode("Mode")),
        RecordKind.Remove => new RemoveRecord(r.Id("FileId"), r.String("Path"), r.NodeKind("Kind")),
        RecordKind.Link => new LinkRecord(r.Id("FileId"), r.String("ExistingPath"), r.String("NewPath")),
        RecordKind.Orphan => new OrphanRecord(r.Id("FileId"), r.String("Path"), r.String("OrphanPath")),
        RecordKind.OrphanFreed => new OrphanFreedRecord(r.Id("FileId"), r.String("OrphanPath")),
        RecordKind.SetSize => new SetSizeRecord(r.Id("FileId"), r.String("Path"), r.Int64("Eof"), r.Int64("Vdl")),
        RecordKind.SetAttributes => new SetAttributesRecord(r.Id("FileId"), r.String("Path"), r.AttributeFields("Fields"),
            r.UInt32("Mode"), r.Int32("Uid"), r.Int32("Gid"), r.UInt32("Attributes"), r.Int64("CreationTime"),
            r.Int64("LastAccessTime"), r.Int64("LastWriteTime"), r.Int64("ChangeTime")),
        RecordKind.SetSecurity => new SetSecurityRecord(r.Id("FileId"), r.String("Path"), r.Blob("Descriptor")),
        RecordKind.SetXattr => new SetXattrRecord(r.Id("FileId"), r.String("Path"), r.String("Name"), r.NullableBlob("Value")),
        RecordKind.ChunkImage => new ChunkImageRecord(r.Id("FileId"), r.String("Path"), r.Int64("ChunkIndex"), r.Blob("StoredChunk"),
            r.Int64("Eof"), r.Int64("Vdl")),
        RecordKind.Checkpoint => new CheckpointRecord(r.Int64("CheckpointLsn")),
        _ => throw new JournalRecordFormatException($"unknown record kind {(byte)kind}"),
    };
}
