using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>Read, write, flush and the file-information callbacks. Read and Write allocate nothing.</summary>
public static unsafe partial class FileSystemCallbacks
{
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int Read(FspFileSystemHeader* fileSystem, nint fileContext, void* buffer, ulong offset, uint length, uint* pBytesTransferred)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            if (length > int.MaxValue)
            {
                return NtStatus.InvalidParameter;
            }

            int status = fs.Read(context, new Span<byte>(buffer, (int)length), offset, out uint transferred);
            if (NtStatus.IsSuccess(status))
            {
                if (transferred > length)
                {
                    return fs.OnCallbackException(nameof(Read), new InvalidOperationException($"Read reported {transferred} bytes for a {length}-byte request."));
                }

                *pBytesTransferred = transferred;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int Write(
        FspFileSystemHeader* fileSystem, nint fileContext, void* buffer, ulong offset, uint length,
        byte writeToEndOfFile, byte constrainedIo, uint* pBytesTransferred, FspFileInfo* fileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            if (length > int.MaxValue)
            {
                return NtStatus.InvalidParameter;
            }

            int status = fs.Write(
                context, new ReadOnlySpan<byte>(buffer, (int)length), offset, writeToEndOfFile != 0, constrainedIo != 0,
                out uint transferred, out FspFileInfo info);
            if (NtStatus.IsSuccess(status))
            {
                if (transferred > length)
                {
                    // The DLL would turn this into STATUS_INTERNAL_ERROR; say why in our log.
                    return fs.OnCallbackException(nameof(Write), new InvalidOperationException($"Write reported {transferred} bytes for a {length}-byte request."));
                }

                *pBytesTransferred = transferred;
                *fileInfo = info;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int Flush(FspFileSystemHeader* fileSystem, nint fileContext, FspFileInfo* fileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            object? context = null;
            if (fileContext != 0 && !TryContext(fs, fileContext, out context))
            {
                return NtStatus.InvalidHandle;
            }

            // A null context is a volume flush.
            int status = fs.Flush(context, out FspFileInfo info);
            if (NtStatus.IsSuccess(status) && fileInfo is not null)
            {
                *fileInfo = info;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int GetFileInfo(FspFileSystemHeader* fileSystem, nint fileContext, FspFileInfo* fileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            int status = fs.GetFileInfo(context, out FspFileInfo info);
            if (NtStatus.IsSuccess(status))
            {
                *fileInfo = info;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SetBasicInfo(
        FspFileSystemHeader* fileSystem, nint fileContext, uint fileAttributes, ulong creationTime, ulong lastAccessTime,
        ulong lastWriteTime, ulong changeTime, FspFileInfo* fileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            int status = fs.SetBasicInfo(context, fileAttributes, creationTime, lastAccessTime, lastWriteTime, changeTime, out FspFileInfo info);
            if (NtStatus.IsSuccess(status))
            {
                *fileInfo = info;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SetFileSize(FspFileSystemHeader* fileSystem, nint fileContext, ulong newSize, byte setAllocationSize, FspFileInfo* fileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            int status = fs.SetFileSize(context, newSize, setAllocationSize != 0, out FspFileInfo info);
            if (NtStatus.IsSuccess(status))
            {
                *fileInfo = info;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }
}
