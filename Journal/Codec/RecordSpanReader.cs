using System.Buffers.Binary;
using System.Text;

namespace Layered.Journal;

/// <summary>Little-endian field reader that turns every overrun or malformed field into a
/// <see cref="JournalRecordFormatException"/> (never an index exception), so damaged records get a clear error.</summary>
internal ref struct RecordSpanReader
{
    // Strict UTF-8: invalid bytes are corruption, not something to replace silently.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public RecordSpanReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Remaining => _buffer.Length - _position;

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
            throw new JournalRecordFormatException($"field '{field}' needs {count} bytes but only {Remaining} remain");
        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte Byte(string field) => Take(1, field)[0];
    public ushort UInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
    public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    public int Int32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));
    public long Int64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));
    public UInt128 Id(string field) => BinaryPrimitives.ReadUInt128LittleEndian(Take(16, field));

    public string String(string field)
    {
        uint count = UInt32(field);
        if (count > int.MaxValue)
            throw new JournalRecordFormatException($"field '{field}' has an impossible length {count}");
        var bytes = Take((int)count, field);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new JournalRecordFormatException($"field '{field}' is not valid UTF-8");
        }
    }

    public byte[] Blob(string field)
    {
        uint count = UInt32(field);
        if (count > int.MaxValue)
            throw new JournalRecordFormatException($"field '{field}' has an impossible length {count}");
        return Take((int)count, field).ToArray();
    }

    public byte[]? NullableBlob(string field)
    {
        int count = Int32(field);
        if (count == -1)
            return null;
        if (count < 0)
            throw new JournalRecordFormatException($"field '{field}' has an impossible length {count}");
        return Take(count, field).ToArray();
    }

    public NodeKind NodeKind(string field)
    {
        byte value = Byte(field);
        if (value is < (byte)Journal.NodeKind.File or > (byte)Journal.NodeKind.Symlink)
            throw new JournalRecordFormatException($"field '{field}' has unknown node kind {value}");
        return (NodeKind)value;
    }

    public RenameMode RenameMode(string field)
    {
        byte value = Byte(field);
        if (value > (byte)Journal.RenameMode.Exchange)
            throw new JournalRecordFormatException($"field '{field}' has unknown rename mode {value}");
        return (RenameMode)value;
    }

    public AttributeFields AttributeFields(string field)
    {
        ushort value = UInt16(field);
        if ((value & ~(ushort)Journal.AttributeFields.All) != 0)
            throw new JournalRecordFormatException($"field '{field}' has unknown attribute bits 0x{value:x}");
        return (AttributeFields)value;
    }
}
