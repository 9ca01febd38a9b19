using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>
/// The native entry points WinFsp's dispatcher threads call, one per wired interface slot. Each one
/// resolves the managed file system from FSP_FILE_SYSTEM.UserContext (a GCHandle) and the per-open
/// context from its id, marshals the arguments, and never lets an exception reach native code: an
/// exception becomes the status <see cref="WinFspFileSystemBase.OnCallbackException"/> returns, or
/// STATUS_UNEXPECTED_IO_ERROR when even the file system cannot be resolved.
/// WinFsp declares no calling convention, so its callbacks are C-default (cdecl); on x64 and ARM64 the
/// marker changes nothing.
/// </summary>
public static unsafe partial class FileSystemCallbacks
{
    /// <summary>
    /// WinFsp caps paths at FSP_FSCTL_TRANSACT_PATH_SIZEMAX (1024 WCHARs); a normalized name longer
    /// than that is ignored by the DLL, so it is not written.
    /// </summary>
    private const int MaxNormalizedNameBytes = 1024 * sizeof(char);

    /// <summary>Resolves the managed file system a native FSP_FILE_SYSTEM belongs to.</summary>
    internal static WinFspFileSystemBase FileSystemOf(FspFileSystemHeader* fileSystem)
    {
        if (fileSystem is null || fileSystem->UserContext == 0)
        {
            throw new InvalidOperationException("WinFsp called back with a file system that has no managed context.");
        }

        return (WinFspFileSystemBase)GCHandle.FromIntPtr(fileSystem->UserContext).Target!;
    }

    private static int Fail(WinFspFileSystemBase? fileSystem, Exception exception, [CallerMemberName] string callback = "")
    {
        if (fileSystem is null)
        {
            return NtStatus.UnexpectedIoError;
        }

        try
        {
            return fileSystem.OnCallbackException(callback, exception);
        }
        catch
        {
            // The mapping itself failed (e.g. the logger threw); nothing may escape to native code.
            return NtStatus.UnexpectedIoError;
        }
    }

    private static void Report(WinFspFileSystemBase? fileSystem, Exception exception, [CallerMemberName] string callback = "") =>
        _ = Fail(fileSystem, exception, callback);

    private static string? StringOrNull(char* text) => text is null ? null : new string(text);

    /// <summary>Resolves a context id; false when it is not (or no longer) open.</summary>
    private static bool TryContext(WinFspFileSystemBase fileSystem, nint fileContext, out object context)
    {
        if (fileSystem.OpenContexts.TryGet((nuint)fileContext, out object? found))
        {
            context = found;
            return true;
        }

        context = null!;
        return false;
    }

    private static int CopySecurityDescriptor(byte[]? descriptor, void* destination, nuint* size)
    {
        if (size is null)
        {
            return NtStatus.Success;
        }

        if (descriptor is null || descriptor.Length == 0)
        {
            *size = 0;
            return NtStatus.Success;
        }

        if ((nuint)descriptor.Length > *size || destination is null)
        {
            // The DLL retries with a buffer of the size we report.
            *size = (nuint)descriptor.Length;
            return NtStatus.BufferOverflow;
        }

        descriptor.CopyTo(new Span<byte>(destination, descriptor.Length));
        *size = (nuint)descriptor.Length;
        return NtStatus.Success;
    }

    private static ReadOnlySpan<byte> SecurityDescriptorSpan(void* descriptor) =>
        descriptor is null
            ? ReadOnlySpan<byte>.Empty
            : new ReadOnlySpan<byte>(descriptor, SecurityDescriptorLength.Of((byte*)descriptor));

    private static void WriteNormalizedName(FspOpenFileInfo* openFileInfo, string? normalizedName)
    {
        if (normalizedName is null || openFileInfo->NormalizedName is null)
        {
            return;
        }

        int bytes = normalizedName.Length * sizeof(char);
        if (bytes > openFileInfo->NormalizedNameSize || bytes > MaxNormalizedNameBytes)
        {
            // Leaving the capacity unchanged tells the DLL "no normalized name".
            return;
        }

        normalizedName.CopyTo(new Span<char>(openFileInfo->NormalizedName, normalizedName.Length));
        openFileInfo->NormalizedNameSize = (ushort)bytes;
    }

    /// <summary>
    /// Registers a context returned by Create or Open and writes its id. If registering fails, the
    /// engine-level open is closed again so nothing leaks.
    /// </summary>
    private static int Publish(WinFspFileSystemBase fileSystem, int status, object? context, nint* pFileContext, string callback)
    {
        if (!NtStatus.IsSuccess(status))
        {
            return status;
        }

        if (context is null)
        {
            // Success without a context would make every later callback get a null context (winfsp#200).
            return fileSystem.OnCallbackException(
                callback, new InvalidOperationException($"{callback} returned {NtStatus.Describe(status)} without a file context."));
        }

        try
        {
            *pFileContext = (nint)fileSystem.OpenContexts.Add(context);
            return status;
        }
        catch
        {
            fileSystem.Close(context);
            throw;
        }
    }
}
