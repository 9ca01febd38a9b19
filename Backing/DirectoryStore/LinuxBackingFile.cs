using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Layered.Backing.DirectoryStore;

/// <summary>
/// An open file of the directory store on Linux: positional I/O through RandomAccess (pread/pwrite, no
/// shared file position, so concurrent callers need no lock), fsync and ftruncate through libc.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxBackingFile : IBackingFile
{
    private readonly SafeFileHandle _handle;

    public LinuxBackingFile(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The path the file was opened under (it is not updated if the file is renamed later).</summary>
    public string Path { get; }

    public unsafe long Length
    {
        get
        {
            byte* statx = stackalloc byte[LinuxLibc.StatxSize];
            if (LinuxLibc.Statx(_handle, "", LinuxLibc.AtEmptyPath, LinuxLibc.StatxBasicStats, statx) != 0)
            {
                throw LinuxErrno.Last("fstat", Path);
            }
            return LinuxStat.Size(new ReadOnlySpan<byte>(statx, LinuxLibc.StatxSize));
        }
    }

    public int Read(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var total = 0;
        try
        {
            // pread may return short counts only at end of file for regular files, but loop anyway so the
            // caller always gets a full buffer unless end of file was reached.
            while (total < buffer.Length)
            {
                var read = RandomAccess.Read(_handle, buffer[total..], offset + total);
                if (read == 0)
                {
                    break;
                }
                total += read;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not BackingStoreException)
        {
            throw Translate(e, "read");
        }
        return total;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        try
        {
            RandomAccess.Write(_handle, data, offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not BackingStoreException)
        {
            throw Translate(e, "write");
        }
    }

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (LinuxLibc.Ftruncate(_handle, length) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            // The length was checked above, so EINVAL/EBADF mean the file is not open for writing.
            if (errno is LinuxErrno.EINVAL or LinuxErrno.EBADF)
            {
                throw new BackingStoreException(BackingError.AccessDenied, Path, "ftruncate failed (file not open for writing)");
            }
            throw LinuxErrno.Exception(errno, "ftruncate", Path);
        }
    }

    public void Flush()
    {
        if (LinuxLibc.Fsync(_handle) != 0)
        {
            throw LinuxErrno.Last("fsync", Path);
        }
    }

    public void FlushData()
    {
        if (LinuxLibc.Fdatasync(_handle) != 0)
        {
            throw LinuxErrno.Last("fdatasync", Path);
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>RandomAccess reports errno as the HResult of the IOException it throws on Unix.</summary>
    private BackingStoreException Translate(Exception e, string operation) => e switch
    {
        UnauthorizedAccessException => new BackingStoreException(BackingError.AccessDenied, Path, $"{operation} failed (file not open for {operation}ing, or access denied)", e),
        _ when e.HResult is > 0 and < 4096 => new BackingStoreException(LinuxErrno.ToBackingError(e.HResult), Path, $"{operation} failed ({LinuxErrno.Describe(e.HResult)})", e),
        _ => new BackingStoreException(BackingError.IoError, Path, $"{operation} failed ({e.Message})", e),
    };
}
