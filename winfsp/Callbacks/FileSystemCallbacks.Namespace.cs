using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>Delete disposition, rename, security and directory listing.</summary>
public static unsafe partial class FileSystemCallbacks
{
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SetDelete(FspFileSystemHeader* fileSystem, nint fileContext, char* fileName, byte deleteFile)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            return fs.SetDelete(context, new string(fileName), deleteFile != 0);
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int Rename(FspFileSystemHeader* fileSystem, nint fileContext, char* fileName, char* newFileName, byte replaceIfExists)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            return fs.Rename(context, new string(fileName), new string(newFileName), replaceIfExists != 0);
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int GetSecurity(FspFileSystemHeader* fileSystem, nint fileContext, void* securityDescriptor, nuint* pSecurityDescriptorSize)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            int status = fs.GetSecurity(context, out byte[]? descriptor);
            if (!NtStatus.IsSuccess(status))
            {
                return status;
            }

            int copied = CopySecurityDescriptor(descriptor, securityDescriptor, pSecurityDescriptorSize);
            return NtStatus.IsSuccess(copied) ? status : copied;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SetSecurity(FspFileSystemHeader* fileSystem, nint fileContext, uint securityInformation, void* modificationDescriptor)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            return fs.SetSecurity(context, securityInformation, SecurityDescriptorSpan(modificationDescriptor));
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int ReadDirectory(
        FspFileSystemHeader* fileSystem, nint fileContext, char* pattern, char* marker, void* buffer, uint length, uint* pBytesTransferred)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            *pBytesTransferred = 0;
            var entries = new DirectoryBufferWriter(buffer, length, pBytesTransferred);
            return fs.ReadDirectory(context, StringOrNull(pattern), StringOrNull(marker), entries);
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int GetDirInfoByName(FspFileSystemHeader* fileSystem, nint fileContext, char* fileName, FspDirInfo* dirInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            string requested = new(fileName);
            int status = fs.GetDirInfoByName(context, requested, out string? realName, out FspFileInfo info);
            if (!NtStatus.IsSuccess(status))
            {
                return status;
            }

            string name = realName ?? requested;
            if (name.Length == 0 || name.Length > FspDirInfo.GetDirInfoByNameMaxChars)
            {
                return NtStatus.ObjectNameInvalid;
            }

            // The DLL's DirInfo has room for the header plus 255 name characters.
            new Span<byte>(dirInfo, FspDirInfo.HeaderSize).Clear();
            dirInfo->Size = (ushort)(FspDirInfo.HeaderSize + (name.Length * sizeof(char)));
            dirInfo->FileInfo = info;
            name.CopyTo(new Span<char>(FspDirInfo.FileNameOf(dirInfo), name.Length));
            return status;
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }
}
