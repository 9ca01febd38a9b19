using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Layered.Backing.DirectoryStore;

/// <summary>An open file of the directory store on Windows: RandomAccess for positional I/O,
/// FlushFileBuffers for durability. Written against the documented APIs; not run on the Linux CI.</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsBackingFile(SafeFileHandle handle, string path) : IBackingFile
{
    public string Path { get; } = path;

    public long Length => Guard("get length", () => RandomAccess.GetLength(handle));

    public int Read(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var read = RandomAccess.Read(handle, buffer[total..], offset + total);
                if (read == 0)
                {
                    break;
                }
                total += read;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, "read", Path);
        }
        return total;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        try
        {
            RandomAccess.Write(handle, data, offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, "write", Path);
        }
    }

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Guard("set length", () => { RandomAccess.SetLength(handle, length); return 0; });
    }

    public void Flush()
    {
        if (!WindowsNative.FlushFileBuffers(handle))
        {
            throw WindowsNative.Last("FlushFileBuffers", Path);
        }
    }

    public void Dispose() => handle.Dispose();

    private T Guard<T>(string operation, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WindowsNative.FromException(e, operation, Path);
        }
    }
}
