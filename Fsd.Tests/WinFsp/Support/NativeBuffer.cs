using System.Runtime.InteropServices;

namespace Layered.WinFsp.Tests.Support;

/// <summary>
/// Unmanaged memory standing in for a buffer the WinFsp DLL would pass. Filled with a poison byte so a
/// test can see exactly which bytes a callback wrote.
/// </summary>
public sealed unsafe class NativeBuffer : IDisposable
{
    public const byte Poison = 0xCC;

    public NativeBuffer(int length)
    {
        Length = length;
        Pointer = (byte*)NativeMemory.Alloc((nuint)Math.Max(length, 1));
        Span.Fill(Poison);
    }

    public byte* Pointer { get; private set; }

    public int Length { get; }

    public Span<byte> Span => new(Pointer, Length);

    public static NativeBuffer FromString(string text)
    {
        var buffer = new NativeBuffer((text.Length + 1) * sizeof(char));
        var chars = new Span<char>(buffer.Pointer, text.Length + 1);
        text.CopyTo(chars);
        chars[text.Length] = '\0';
        return buffer;
    }

    public char* AsChars => (char*)Pointer;

    public void Dispose()
    {
        if (Pointer is not null)
        {
            NativeMemory.Free(Pointer);
            Pointer = null;
        }
    }
}
