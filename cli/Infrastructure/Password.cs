using System.Security.Cryptography;

namespace Layered.Cli;

/// <summary>Password bytes (UTF-8) in a pinned array, zeroed on Dispose. Never turned into a string.</summary>
public sealed class Password : IDisposable
{
    private readonly byte[] _buffer;
    private readonly int _length;

    internal Password(ReadOnlySpan<byte> bytes)
    {
        _buffer = GC.AllocateArray<byte>(Math.Max(1, bytes.Length), pinned: true);
        bytes.CopyTo(_buffer);
        _length = bytes.Length;
    }

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

    public bool SameAs(Password other) => CryptographicOperations.FixedTimeEquals(Bytes, other.Bytes);

    public void Dispose() => CryptographicOperations.ZeroMemory(_buffer);
}
