using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>Name lookup, create, open, overwrite, cleanup and close.</summary>
public static unsafe partial class FileSystemCallbacks
{
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int GetSecurityByName(
        FspFileSystemHeader* fileSystem, char* fileName, uint* pFileAttributes, void* securityDescriptor, nuint* pSecurityDescriptorSize)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            bool wanted = pSecurityDescriptorSize is not null;
            int status = fs.GetSecurityByName(new string(fileName), wanted, out uint attributes, out byte[]? descriptor);
            if (status == NtStatus.Reparse)
            {
                // STATUS_REPARSE carries the index of the reparse-point component in the attributes.
                if (pFileAttributes is not null)
                {
                    *pFileAttributes = attributes;
                }

                return status;
            }

            if (!NtStatus.IsSuccess(status))
            {
                return status;
            }

            if (pFileAttributes is not null)
            {
                *pFileAttributes = attributes;
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
    public static int CreateEx(
        FspFileSystemHeader* fileSystem, char* fileName, uint createOptions, uint grantedAccess, uint fileAttributes,
        void* securityDescriptor, ulong allocationSize, void* extraBuffer, uint extraLength, byte extraBufferIsReparsePoint,
        nint* pFileContext, FspOpenFileInfo* openFileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            var extra = extraBuffer is null ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(extraBuffer, checked((int)extraLength));
            int status = fs.Create(
                new string(fileName), createOptions, grantedAccess, fileAttributes,
                SecurityDescriptorSpan(securityDescriptor), allocationSize, extra, extraBufferIsReparsePoint != 0,
                out object? context, out FspFileInfo info, out string? normalizedName);
            if (NtStatus.IsSuccess(status))
            {
                openFileInfo->FileInfo = info;
                WriteNormalizedName(openFileInfo, normalizedName);
            }

            return Publish(fs, status, context, pFileContext, nameof(CreateEx));
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int Open(
        FspFileSystemHeader* fileSystem, char* fileName, uint createOptions, uint grantedAccess,
        nint* pFileContext, FspOpenFileInfo* openFileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            int status = fs.Open(new string(fileName), createOptions, grantedAccess, out object? context, out FspFileInfo info, out string? normalizedName);
            if (NtStatus.IsSuccess(status))
            {
                openFileInfo->FileInfo = info;
                WriteNormalizedName(openFileInfo, normalizedName);
            }

            return Publish(fs, status, context, pFileContext, nameof(Open));
        }
        catch (Exception exception)
        {
            return Fail(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int OverwriteEx(
        FspFileSystemHeader* fileSystem, nint fileContext, uint fileAttributes, byte replaceFileAttributes, ulong allocationSize,
        void* extendedAttributes, uint extendedAttributesLength, FspFileInfo* fileInfo)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (!TryContext(fs, fileContext, out object context))
            {
                return NtStatus.InvalidHandle;
            }

            var ea = extendedAttributes is null
                ? ReadOnlySpan<byte>.Empty
                : new ReadOnlySpan<byte>(extendedAttributes, checked((int)extendedAttributesLength));
            int status = fs.Overwrite(context, fileAttributes, replaceFileAttributes != 0, allocationSize, ea, out FspFileInfo info);
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
    public static void Cleanup(FspFileSystemHeader* fileSystem, nint fileContext, char* fileName, uint flags)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);
            if (TryContext(fs, fileContext, out object context))
            {
                fs.Cleanup(context, StringOrNull(fileName), (CleanupFlags)flags);
            }
            else
            {
                Report(fs, new InvalidOperationException($"Cleanup for a file context that is not open (id 0x{fileContext:X})."));
            }
        }
        catch (Exception exception)
        {
            Report(fs, exception);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static void Close(FspFileSystemHeader* fileSystem, nint fileContext)
    {
        WinFspFileSystemBase? fs = null;
        try
        {
            fs = FileSystemOf(fileSystem);

            // The id leaves the table before the file system sees Close, so a racing late callback on
            // this context gets STATUS_INVALID_HANDLE instead of using a closed object.
            if (fs.OpenContexts.TryRemove((nuint)fileContext, out object? context))
            {
                fs.Close(context);
            }
            else
            {
                Report(fs, new InvalidOperationException($"Close for a file context that is not open (id 0x{fileContext:X})."));
            }
        }
        catch (Exception exception)
        {
            Report(fs, exception);
        }
    }
}
