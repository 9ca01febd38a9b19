using System.Numerics;
using System.Runtime.InteropServices;

namespace Layered.Journal;

/// <summary>CRC-32C (Castagnoli) over a span, using the CPU's CRC32 instruction where the runtime has one
/// (<see cref="BitOperations.Crc32C(uint, ulong)"/> falls back to a table otherwise). Chosen over FasterLog's
/// XOR checksum because it catches reordered and paired changes too.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>Continues a running (non-inverted) CRC state.</summary>
    internal static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong word in words)
            crc = BitOperations.Crc32C(crc, word);
        for (int i = words.Length * sizeof(ulong); i < data.Length; i++)
            crc = BitOperations.Crc32C(crc, data[i]);
        return crc;
    }
}
