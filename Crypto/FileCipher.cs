using System.Buffers.Binary;

namespace Layered.Crypto;

/// <summary>
/// Encrypts and decrypts the chunks of one file with its own subkey (derived from the master key and the
/// file id). Stored chunk = nonce || ciphertext || tag, AAD = file id (16 bytes) || chunk index (u64 LE),
/// so a chunk cannot be moved inside a file or to another file. Thread-safe: the key is immutable and
/// libsodium keeps no state between calls. No allocation per chunk.
/// The key lives in a slot of the vault's <see cref="KeyArena"/> (locked memory, no system call to get or
/// release one). Every call counts itself in while it uses the slot, and the slot goes back to the arena
/// (zeroed) only when the cipher is disposed and no call is still inside: a call racing Dispose (a caller
/// bug) either finishes with this file's key or throws ObjectDisposedException, and never encrypts with a
/// slot that another file's key has since taken over.
/// </summary>
public sealed unsafe class FileCipher : IDisposable
{
    internal const int AadSize = FileId.Size + sizeof(ulong);

    /// <summary>Set in <see cref="_state"/> once Dispose ran; the bits below count calls inside.</summary>
    private const int DisposedFlag = 1 << 30;

    private readonly KeyArena _arena;
    private readonly byte* _key;
    private readonly CipherKind _cipher;
    private int _state;

    /// <summary>Takes ownership of <paramref name="key"/>, a slot of <paramref name="arena"/> holding the file key.</summary>
    internal FileCipher(FileId fileId, ChunkLayout layout, KeyArena arena, byte* key)
    {
        FileId = fileId;
        Layout = layout;
        _arena = arena;
        _key = key;
        _cipher = layout.Cipher;
    }

    /// <summary>A cipher nobody disposed still gives its slot back (zeroed) when it is collected.</summary>
    ~FileCipher() => Dispose();

    public FileId FileId { get; }

    public ChunkLayout Layout { get; }

    /// <summary>Encrypts 1..ChunkSize bytes into <paramref name="stored"/> (exactly plain.Length + Overhead bytes) with a fresh random nonce.</summary>
    public void EncryptChunk(long chunkIndex, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        Enter();
        try
        {
            EncryptEntered(chunkIndex, plain, stored);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Same as <see cref="EncryptChunk"/> with a caller-chosen nonce: for format test vectors only.</summary>
    internal void EncryptChunkWithNonce(long chunkIndex, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        CheckEncryptLengths(plain, stored);
        nonce.CopyTo(stored[..Layout.NonceSize]);
        Enter();
        try
        {
            Seal(chunkIndex, plain, stored);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Decrypts one stored chunk (Overhead+1 .. StoredChunkSize bytes) into <paramref name="plain"/> (at least
    /// stored.Length - Overhead bytes). False when it does not authenticate or is too short to be a chunk;
    /// then the plaintext area is zeroed, so nothing unauthenticated is ever left behind.
    /// </summary>
    public bool TryDecryptChunk(long chunkIndex, ReadOnlySpan<byte> stored, Span<byte> plain)
    {
        Enter();
        try
        {
            return TryDecryptEntered(chunkIndex, stored, plain);
        }
        finally
        {
            Exit();
        }
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
        Enter();
        try
        {
            long index = firstChunkIndex;
            while (!plain.IsEmpty)
            {
                int take = Math.Min(Layout.ChunkSize, plain.Length);
                int storedLength = take + Layout.Overhead;
                EncryptEntered(index, plain[..take], stored[..storedLength]);
                plain = plain[take..];
                stored = stored[storedLength..];
                index++;
            }
        }
        finally
        {
            Exit();
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
        Enter();
        try
        {
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
                if (!TryDecryptEntered(index, stored[..storedLength], plain))
                {
                    all.Clear();
                    throw new ChunkAuthenticationException(fileNameForErrors, index, "tag mismatch (tampered, moved, truncated, or from another file or vault)");
                }
                stored = stored[storedLength..];
                plain = plain[plainLength..];
                index++;
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Gives the key slot back (zeroed) to the arena: at once when no call is inside, else when the last
    /// one leaves. Later calls throw <see cref="ObjectDisposedException"/>. A second Dispose does nothing.</summary>
    public void Dispose()
    {
        int before = Interlocked.Or(ref _state, DisposedFlag);
        if ((before & DisposedFlag) != 0)
            return;
        GC.SuppressFinalize(this);
        if (before == 0)
            _arena.Return(_key);
    }

    /// <summary>Where the key lives: for tests that check a released slot is zeroed.</summary>
    internal byte* KeySlot => _key;

    /// <summary>Counts a call in; refuses once Dispose ran, so a released (maybe reused) slot is never read.</summary>
    private void Enter()
    {
        int state = Volatile.Read(ref _state);
        while (true)
        {
            if ((state & DisposedFlag) != 0)
                ObjectDisposedException.ThrowIf(true, this);
            int seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
                return;
            state = seen;
        }
    }

    /// <summary>Counts a call out; the last one out after Dispose releases the slot.</summary>
    private void Exit()
    {
        if (Interlocked.Decrement(ref _state) == DisposedFlag)
            _arena.Return(_key);
    }

    private void EncryptEntered(long chunkIndex, ReadOnlySpan<byte> plain, Span<byte> stored)
    {
        CheckEncryptLengths(plain, stored);
        NonceSource.Fill(stored[..Layout.NonceSize]);
        Seal(chunkIndex, plain, stored);
    }

    private bool TryDecryptEntered(long chunkIndex, ReadOnlySpan<byte> stored, Span<byte> plain)
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
        if (ContentAead.Decrypt(_cipher, _key, stored[..Layout.NonceSize], aad, stored[Layout.NonceSize..], output))
            return true;
        output.Clear();
        return false;
    }

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
        ContentAead.Encrypt(_cipher, _key, stored[..Layout.NonceSize], aad, plain, stored[Layout.NonceSize..]);
    }

    private void WriteAad(long chunkIndex, Span<byte> aad)
    {
        FileId.WriteTo(aad);
        BinaryPrimitives.WriteUInt64LittleEndian(aad[FileId.Size..], (ulong)chunkIndex);
    }
}
