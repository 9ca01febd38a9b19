using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Layered.Backing.DirectoryStore;

/// <summary>
/// An open file of the directory store on Linux: positional I/O (pread/pwrite, no shared file position, so
/// concurrent callers need no lock), fsync and ftruncate, all straight through libc. Not RandomAccess: on a handle
/// made from a descriptor it first asks lseek whether the file can seek, one system call more per new file.
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

    public unsafe int Read(long offset, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            return Transfer(offset, start, buffer.Length, write: false);
        }
    }

    public unsafe void Write(long offset, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            Transfer(offset, start, data.Length, write: true);
        }
    }

    /// <summary>
    /// pread or pwrite until <paramref name="length"/> bytes are moved, retrying on EINTR. Short counts happen for
    /// regular files only at end of file (reads: the count read so far is returned), but loop anyway so a caller
    /// always gets the whole transfer; a write that stores nothing is an I/O error.
    /// </summary>
    private unsafe int Transfer(long offset, byte* start, int length, bool write)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var done = 0;
        while (done < length)
        {
            var moved = write
                ? LinuxLibc.Pwrite(_handle, start + done, (nuint)(length - done), offset + done)
                : LinuxLibc.Pread(_handle, start + done, (nuint)(length - done), offset + done);
            if (moved < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == LinuxErrno.EINTR)
                {
                    continue;
                }
                throw Failure(errno, write ? "write" : "read");
            }
            if (moved == 0)
            {
                if (!write)
                {
                    break;
                }
                throw new BackingStoreException(BackingError.IoError, Path, "write stored nothing");
            }
            done += (int)moved;
        }
        return done;
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

    /// <summary>EBADF: the descriptor is not open for that direction (a file opened read-only and written).</summary>
    private BackingStoreException Failure(int errno, string operation) => errno == LinuxErrno.EBADF
        ? new BackingStoreException(BackingError.AccessDenied, Path, $"{operation} failed (file not open for {operation}ing)")
        : LinuxErrno.Exception(errno, operation, Path);
}
