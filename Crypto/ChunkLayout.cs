using System.Numerics;

namespace Layered.Crypto;

/// <summary>
/// All offset arithmetic of an encrypted file, in one place. A stored file is
/// <c>header (HeaderSize) || chunk 0 || chunk 1 || ...</c>; each stored chunk is <c>nonce || ciphertext || tag</c>.
/// Only chunks below VDL are stored: chunk i holds min(ChunkSize, VDL - i*ChunkSize) plaintext bytes, so the
/// last one may be short and a consistent file is exactly <see cref="StoredLengthFor"/>(VDL) bytes long.
/// Between VDL and EOF nothing is stored; it reads as zeros.
/// </summary>
public readonly struct ChunkLayout : IEquatable<ChunkLayout>
{
    public const int MinChunkSize = 4096;
    public const int MaxChunkSize = 1 << 20;
    public const int DefaultChunkSize = 4096;

    private readonly int _shift;

    public ChunkLayout(int chunkSize, CipherKind cipher)
    {
        if (!IsValidChunkSize(chunkSize))
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize,
                $"chunk size must be a power of two from {MinChunkSize} to {MaxChunkSize}");
        if (!CipherKinds.IsDefined(cipher))
            throw new ArgumentOutOfRangeException(nameof(cipher), (byte)cipher, "unknown cipher kind");
        ChunkSize = chunkSize;
        Cipher = cipher;
        NonceSize = cipher.NonceSize();
        TagSize = cipher.TagSize();
        _shift = BitOperations.Log2((uint)chunkSize);
    }

    public static bool IsValidChunkSize(long chunkSize) =>
        chunkSize is >= MinChunkSize and <= MaxChunkSize && BitOperations.IsPow2(chunkSize);

    public CipherKind Cipher { get; }

    /// <summary>Plaintext bytes in a full chunk.</summary>
    public int ChunkSize { get; }

    public int NonceSize { get; }

    public int TagSize { get; }

    /// <summary>Stored bytes added to each chunk: nonce + tag.</summary>
    public int Overhead => NonceSize + TagSize;

    /// <summary>Stored bytes of a full chunk.</summary>
    public int StoredChunkSize => ChunkSize + Overhead;

    public int HeaderSize => FileHeader.Size;

    public long ChunkIndexOf(long plainOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainOffset);
        return plainOffset >> _shift;
    }

    public int OffsetInChunk(long plainOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainOffset);
        return (int)(plainOffset & (ChunkSize - 1));
    }

    /// <summary>Plaintext offset where chunk <paramref name="chunkIndex"/> starts.</summary>
    public long PlainOffsetOf(long chunkIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkIndex);
        return chunkIndex << _shift;
    }

    /// <summary>Offset in the stored file where chunk <paramref name="chunkIndex"/> starts.</summary>
    public long StoredOffsetOf(long chunkIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkIndex);
        return HeaderSize + chunkIndex * StoredChunkSize;
    }

    /// <summary>Plaintext bytes chunk <paramref name="chunkIndex"/> stores for a file with this VDL (0 = not stored).</summary>
    public int PlainLengthOfChunk(long chunkIndex, long vdl)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vdl);
        long remaining = vdl - PlainOffsetOf(chunkIndex);
        return remaining <= 0 ? 0 : (int)Math.Min(ChunkSize, remaining);
    }

    /// <summary>Stored bytes of a chunk holding <paramref name="plainLength"/> (1..ChunkSize) bytes.</summary>
    public int StoredLengthOfChunk(int plainLength)
    {
        if (plainLength < 1 || plainLength > ChunkSize)
            throw new ArgumentOutOfRangeException(nameof(plainLength), plainLength, $"a chunk holds 1..{ChunkSize} bytes");
        return plainLength + Overhead;
    }

    /// <summary>Number of chunks that hold <paramref name="plainLength"/> bytes (the last may be short).</summary>
    public long ChunkCount(long plainLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plainLength);
        return (plainLength + ChunkSize - 1) >> _shift;
    }

    /// <summary>Stored bytes of a run of chunks holding <paramref name="plainLength"/> bytes, the last possibly short.</summary>
    public long StoredLengthOfRun(long plainLength) => plainLength + ChunkCount(plainLength) * Overhead;

    /// <summary>Exact length of a consistent stored file with this VDL: header plus the chunks below VDL.</summary>
    public long StoredLengthFor(long vdl) => HeaderSize + StoredLengthOfRun(vdl);

    /// <summary>
    /// Checks that a stored file of <paramref name="storedLength"/> bytes holds every chunk below
    /// <paramref name="vdl"/>. A file cut at a chunk boundary or inside the last chunk is reported with the
    /// first chunk that is missing or short. Bytes beyond StoredLengthFor(VDL) are never read and not checked.
    /// </summary>
    public void EnsureStoredLengthCovers(long storedLength, long vdl, string fileName)
    {
        long expected = StoredLengthFor(vdl);
        if (storedLength >= expected)
            return;
        long available = Math.Max(0, storedLength - HeaderSize);
        long firstShort = available / StoredChunkSize;
        throw new ChunkAuthenticationException(fileName, firstShort,
            $"the file is {storedLength} bytes but its header's valid data length {vdl} needs {expected}: truncated");
    }

    public bool Equals(ChunkLayout other) => ChunkSize == other.ChunkSize && Cipher == other.Cipher;

    public override bool Equals(object? obj) => obj is ChunkLayout other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(ChunkSize, Cipher);

    public static bool operator ==(ChunkLayout left, ChunkLayout right) => left.Equals(right);

    public static bool operator !=(ChunkLayout left, ChunkLayout right) => !left.Equals(right);

    public override string ToString() => $"{Cipher.Name()} chunks of {ChunkSize} bytes";
}
