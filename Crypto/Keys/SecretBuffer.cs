using System.Security.Cryptography;

namespace Layered.Crypto;

/// <summary>
/// Key bytes in a pinned array (the GC never copies it, so zeroing really removes the only copy),
/// zeroed on Dispose.
/// </summary>
internal sealed class SecretBuffer : IDisposable
{
    private readonly byte[] _bytes;
    private bool _disposed;

    public SecretBuffer(int length)
    {
        _bytes = GC.AllocateArray<byte>(length, pinned: true);
    }

    public static SecretBuffer Random(int length)
    {
        var buffer = new SecretBuffer(length);
        RandomNumberGenerator.Fill(buffer._bytes);
        return buffer;
    }

    public static SecretBuffer CopyOf(ReadOnlySpan<byte> source)
    {
        var buffer = new SecretBuffer(source.Length);
        source.CopyTo(buffer._bytes);
        return buffer;
    }

    public int Length => _bytes.Length;

    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        CryptographicOperations.ZeroMemory(_bytes);
        _disposed = true;
    }
}
