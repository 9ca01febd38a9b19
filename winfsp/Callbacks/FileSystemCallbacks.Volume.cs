using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

public static unsafe partial class FileSystemCallbacks
{
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int GetVolumeInfo(FspFileSystemHeader* fileSystem, FspVolumeInfo* volumeInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            int status = fs.GetVolumeInfo(out FspVolumeInfo info);
            if (NtStatus.IsSuccess(status))
            {
                *volumeInfo = info;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SetVolumeLabel(FspFileSystemHeader* fileSystem, char* volumeLabel, FspVolumeInfo* volumeInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            int status = fs.SetVolumeLabel(new string(volumeLabel), out FspVolumeInfo info);
            if (NtStatus.IsSuccess(status))
            {
                *volumeInfo = info;
            }

            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static void DispatcherStopped(FspFileSystemHeader* fileSystem, byte normally)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            fs.DispatcherStopped(normally != 0);
        }
        catch (Exception exception)
        {
            Report(fs, exception);
        }
    }
}
