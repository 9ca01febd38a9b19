using System.Buffers.Binary;

namespace Layered.Crypto;

/// <summary>
/// The random 128-bit identity of one encrypted file. It is stored in the file header, bound into the AAD
/// of every chunk and into the per-file key, and kept by the journal as a UInt128 (big-endian reading of
/// the 16 bytes, so <see cref="ToString"/> and the UInt128's hex agree). All-zero means "no id".
/// </summary>
public readonly struct FileId : IEquatable<FileId>
{
    public const int Size = 16;

    private readonly ulong _high;
    private readonly ulong _low;

    private FileId(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    public bool IsEmpty => _high == 0 && _low == 0;

    public static FileId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        FileId id;
        do
        {
            NonceSource.Fill(bytes); // the per-thread CSPRNG batch: a Fill of its own costs ~2 µs per create
            id = Read(bytes);
        }
        while (id.IsEmpty); // empty is reserved for "no id"; 2^-128 odds, but never hand it out
        return id;
    }

    public static FileId Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
            throw new ArgumentException($"a file id needs {Size} bytes, got {source.Length}", nameof(source));
        return new FileId(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt64BigEndian(source[8..]));
    }

    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
            throw new ArgumentException($"a file id needs {Size} bytes, got {destination.Length}", nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    public UInt128 ToUInt128() => new(_high, _low);

    public static FileId FromUInt128(UInt128 value) => new((ulong)(value >> 64), (ulong)value);

    public bool Equals(FileId other) => _high == other._high && _low == other._low;

    public override bool Equals(object? obj) => obj is FileId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low);

    public static bool operator ==(FileId left, FileId right) => left.Equals(right);

    public static bool operator !=(FileId left, FileId right) => !left.Equals(right);

    /// <summary>32 lowercase hex digits, most significant byte first.</summary>
    public override string ToString() => $"{_high:x16}{_low:x16}";
}
