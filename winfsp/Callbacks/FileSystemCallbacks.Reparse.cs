using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>
/// Reparse points (symlinks): get, set and delete on an open file, path resolution through WinFsp's helper, and
/// the by-name lookup that helper calls back.
/// </summary>
public static unsafe partial class FileSystemCallbacks
{
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int ResolveReparsePoints(
        FspFileSystemHeader* fileSystem, char* fileName, uint reparsePointIndex, byte resolveLastPathComponent,
        IoStatusBlock* pIoStatus, void* buffer, nuint* pSize)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);

            // The DLL's resolver walks the path, asking GetReparsePointByName for each component; it runs only in
            // a mount, where the host has bound it.
            ReparseNatives? natives = fs.ReparseNatives;
            return natives is null
                ? NtStatus.InvalidDeviceRequest
                : natives.ResolveReparsePoints(fileSystem, fileName, reparsePointIndex, resolveLastPathComponent != 0, pIoStatus, buffer, pSize);
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    /// <summary>The GetReparsePointByName callback FspFileSystemResolveReparsePoints is given (not a table slot).</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int GetReparsePointByName(
        FspFileSystemHeader* fileSystem, void* context, char* fileName, byte isDirectory, void* buffer, nuint* pSize)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            bool wantData = buffer is not null && pSize is not null;
            Span<byte> destination = wantData ? new Span<byte>(buffer, Capacity(*pSize)) : Span<byte>.Empty;
            int status = fs.GetReparsePointByName(new string(fileName), isDirectory != 0, wantData, destination, out int written);
            if (wantData && NtStatus.IsSuccess(status))
            {
                *pSize = (nuint)written;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int GetReparsePoint(FspFileSystemHeader* fileSystem, nint fileContext, char* fileName, void* buffer, nuint* pSize)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            if (buffer is null || pSize is null)
            {
                return NtStatus.InvalidParameter;
            }

            int status = fs.GetReparsePoint(context, StringOrNull(fileName) ?? "", new Span<byte>(buffer, Capacity(*pSize)), out int written);
            if (NtStatus.IsSuccess(status))
            {
                *pSize = (nuint)written;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SetReparsePoint(FspFileSystemHeader* fileSystem, nint fileContext, char* fileName, void* buffer, nuint size)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            if (buffer is null || size > ReparseDataBuffer.MaximumSize)
            {
                return NtStatus.IoReparseDataInvalid;
            }

            int targetOnFileSystem = fs.ReparseNatives?.TargetOnFileSystem() ?? 0;
            return fs.SetReparsePoint(context, StringOrNull(fileName) ?? "", new ReadOnlySpan<byte>(buffer, (int)size), targetOnFileSystem);
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int DeleteReparsePoint(FspFileSystemHeader* fileSystem, nint fileContext, char* fileName, void* buffer, nuint size)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            if (buffer is null || size > ReparseDataBuffer.MaximumSize)
            {
                return NtStatus.IoReparseDataInvalid;
            }

            return fs.DeleteReparsePoint(context, StringOrNull(fileName) ?? "", new ReadOnlySpan<byte>(buffer, (int)size));
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    /// <summary>A native buffer size as a span length (reparse buffers are at most 16 KiB; anything larger is capped).</summary>
    private static int Capacity(nuint size) => size > int.MaxValue ? int.MaxValue : (int)size;
}
