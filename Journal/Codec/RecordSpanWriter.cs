using System.Buffers.Binary;
using System.Text;

namespace Layered.Journal;

/// <summary>Little-endian field writer over a span that the caller sized exactly (see
/// <see cref="RecordSize"/>); overruns are bugs and throw.</summary>
internal ref struct RecordSpanWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public RecordSpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public void Byte(byte value) => _buffer[_position++] = value;

    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void Id(UInt128 value)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(_buffer[_position..], value);
        _position += 16;
    }

    /// <summary>u32 byte count, then UTF-8.</summary>
    public void String(string value)
    {
        int count = Encoding.UTF8.GetBytes(value, _buffer[(_position + 4)..]);
        UInt32((uint)count);
        _position += count;
    }

    /// <summary>u32 length, then the bytes.</summary>
    public void Blob(ReadOnlySpan<byte> value)
    {
        UInt32((uint)value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>i32 length (-1 for null), then the bytes.</summary>
    public void NullableBlob(byte[]? value)
    {
        if (value is null)
        {
            Int32(-1);
            return;
        }
        Int32(value.Length);
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }
}
