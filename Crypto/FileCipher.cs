using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Encrypts and decrypts the chunks of one file with its own subkey (derived from the master key and the
/// file id). Stored chunk = nonce || ciphertext || tag, AAD = file id (16 bytes) || chunk index (u64 LE),
/// so a chunk cannot be moved inside a file or to another file. Thread-safe: the key is immutable and
/// libsodium keeps no state between calls. No allocation per chunk.
/// </summary>
public sealed class FileCipher : IDisposable
{
    internal const int AadSize = FileId.Size + sizeof(ulong);

    private readonly Key _key;
    private readonly AeadAlgorithm _aead;

    internal FileCipher(FileId fileId, ChunkLayout layout, Key key)
    {
        FileId = fileId;
        Layout = layout;
        _key = key;
        _aead = layout.Cipher.Algorithm();
    }

    public FileId FileId { get; }

    public ChunkLayout Layout { get; }

    /// <summary>Encrypts 1..ChunkSize bytes into <paramref name="stored"/> (exactly plain.Length + Overhead bytes) with a fresh random nonce.</summary>
    public void EncryptChunk(long chunkIndex, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        CheckEncryptLengths(plain, stored);
        NonceSource.Fill(stored[..Layout.NonceSize]);
        Seal(chunkIndex, plain, stored);
    }

    /// <summary>Same as <see cref="EncryptChunk"/> with a caller-chosen nonce: for format test vectors only.</summary>
    internal void EncryptChunkWithNonce(long chunkIndex, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        CheckEncryptLengths(plain, stored);
        nonce.CopyTo(stored[..Layout.NonceSize]);
        Seal(chunkIndex, plain, stored);
    }

    /// <summary>
    /// Decrypts one stored chunk (Overhead+1 .. StoredChunkSize bytes) into <paramref name="plain"/> (at least
    /// stored.Length - Overhead bytes). False when it does not authenticate or is too short to be a chunk;
    /// then the plaintext area is zeroed, so nothing unauthenticated is ever left behind.
    /// </summary>
    public bool TryDecryptChunk(long chunkIndex, ReadOnlySpan<byte> stored, Span<byte> plain)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkIndex);
        if (stored.Length <= Layout.Overhead || stored.Length > Layout.StoredChunkSize)
            return false;
        int plainLength = stored.Length - Layout.Overhead;
        if (plain.Length < plainLength)
            throw new ArgumentException($"plaintext buffer of {plain.Length} bytes cannot hold {plainLength}", nameof(plain));
        Span<byte> aad = stackalloc byte[AadSize];
        WriteAad(chunkIndex, aad);
        Span<byte> output = plain[..plainLength];
        if (_aead.Decrypt(_key, stored[..Layout.NonceSize], aad, stored[Layout.NonceSize..], output))
            return true;
        output.Clear();
        return false;
    }

    /// <summary>
    /// Encrypts a run of chunks starting at <paramref name="firstChunkIndex"/>: every chunk full except perhaps
    /// the last. <paramref name="stored"/> must be exactly Layout.StoredLengthOfRun(plain.Length) bytes.
    /// </summary>
    public void EncryptChunks(long firstChunkIndex, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunkIndex);
        if (stored.Length != Layout.StoredLengthOfRun(plain.Length))
            throw new ArgumentException($"{plain.Length} plaintext bytes need {Layout.StoredLengthOfRun(plain.Length)} stored bytes, got {stored.Length}", nameof(stored));
        long index = firstChunkIndex;
        while (!plain.IsEmpty)
        {
            int take = Math.Min(Layout.ChunkSize, plain.Length);
            int storedLength = take + Layout.Overhead;
            EncryptChunk(index, plain[..take], stored[..storedLength]);
            plain = plain[take..];
            stored = stored[storedLength..];
            index++;
        }
    }

    /// <summary>
    /// Decrypts a run of stored chunks (all full except perhaps the last) into <paramref name="plain"/>.
    /// Throws <see cref="ChunkAuthenticationException"/> naming the file and the first chunk that fails or is
    /// cut short; the whole plaintext area is zeroed then.
    /// </summary>
    public void DecryptChunks(long firstChunkIndex, ReadOnlySpan<byte> stored, Span<byte> plain, string fileNameForErrors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunkIndex);
        Span<byte> all = plain;
        long index = firstChunkIndex;
        while (!stored.IsEmpty)
        {
            int storedLength = Math.Min(Layout.StoredChunkSize, stored.Length);
            if (storedLength <= Layout.Overhead)
            {
                all.Clear();
                throw new ChunkAuthenticationException(fileNameForErrors, index, $"only {storedLength} stored bytes, a chunk needs more than {Layout.Overhead}: truncated");
            }
            int plainLength = storedLength - Layout.Overhead;
            if (plain.Length < plainLength)
                throw new ArgumentException($"plaintext buffer too small for chunk {index}", nameof(plain));
            if (!TryDecryptChunk(index, stored[..storedLength], plain))
            {
                all.Clear();
                throw new ChunkAuthenticationException(fileNameForErrors, index, "tag mismatch (tampered, moved, truncated, or from another file or vault)");
            }
            stored = stored[storedLength..];
            plain = plain[plainLength..];
            index++;
        }
    }

    public void Dispose() => _key.Dispose();

    private void CheckEncryptLengths(ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        if (plain.Length < 1 || plain.Length > Layout.ChunkSize)
            throw new ArgumentException($"a chunk holds 1..{Layout.ChunkSize} bytes, got {plain.Length}", nameof(plain));
        if (stored.Length != plain.Length + Layout.Overhead)
            throw new ArgumentException($"stored chunk must be {plain.Length + Layout.Overhead} bytes, got {stored.Length}", nameof(stored));
    }

    private void Seal(long chunkIndex, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkIndex);
        Span<byte> aad = stackalloc byte[AadSize];
        WriteAad(chunkIndex, aad);
        _aead.Encrypt(_key, stored[..Layout.NonceSize], aad, plain, stored[Layout.NonceSize..]);
    }

    private void WriteAad(long chunkIndex, Span<byte> aad)
    {
        FileId.WriteTo(aad);
        BinaryPrimitives.WriteUInt64LittleEndian(aad[FileId.Size..], (ulong)chunkIndex);
    }
}
