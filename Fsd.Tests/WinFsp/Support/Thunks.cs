using Layered.WinFsp.Callbacks;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests.Support;

/// <summary>
/// The callbacks taken as native function pointers, exactly as the WinFsp DLL calls them: every test
/// call goes through the unmanaged-to-managed transition of a real native caller.
/// </summary>
public static unsafe class Thunks
{
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, FspVolumeInfo*, int> GetVolumeInfo = &FileSystemCallbacks.GetVolumeInfo;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, FspVolumeInfo*, int> SetVolumeLabel = &FileSystemCallbacks.SetVolumeLabel;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint*, void*, nuint*, int> GetSecurityByName = &FileSystemCallbacks.GetSecurityByName;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, uint, uint, void*, ulong, void*, uint, byte, nint*, FspOpenFileInfo*, int> CreateEx = &FileSystemCallbacks.CreateEx;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, uint, nint*, FspOpenFileInfo*, int> Open = &FileSystemCallbacks.Open;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, byte, ulong, void*, uint, FspFileInfo*, int> OverwriteEx = &FileSystemCallbacks.OverwriteEx;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, uint, void> Cleanup = &FileSystemCallbacks.Cleanup;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void> Close = &FileSystemCallbacks.Close;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, ulong, uint, uint*, int> Read = &FileSystemCallbacks.Read;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, ulong, uint, byte, byte, uint*, FspFileInfo*, int> Write = &FileSystemCallbacks.Write;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, FspFileInfo*, int> Flush = &FileSystemCallbacks.Flush;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, FspFileInfo*, int> GetFileInfo = &FileSystemCallbacks.GetFileInfo;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, ulong, ulong, ulong, ulong, FspFileInfo*, int> SetBasicInfo = &FileSystemCallbacks.SetBasicInfo;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, ulong, byte, FspFileInfo*, int> SetFileSize = &FileSystemCallbacks.SetFileSize;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, byte, int> SetDelete = &FileSystemCallbacks.SetDelete;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, char*, byte, int> Rename = &FileSystemCallbacks.Rename;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, nuint*, int> GetSecurity = &FileSystemCallbacks.GetSecurity;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, void*, int> SetSecurity = &FileSystemCallbacks.SetSecurity;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, char*, void*, uint, uint*, int> ReadDirectory = &FileSystemCallbacks.ReadDirectory;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, FspDirInfo*, int> GetDirInfoByName = &FileSystemCallbacks.GetDirInfoByName;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, byte, void> DispatcherStopped = &FileSystemCallbacks.DispatcherStopped;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, byte, IoStatusBlock*, void*, nuint*, int> ResolveReparsePoints = &FileSystemCallbacks.ResolveReparsePoints;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint*, int> GetReparsePoint = &FileSystemCallbacks.GetReparsePoint;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint, int> SetReparsePoint = &FileSystemCallbacks.SetReparsePoint;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint, int> DeleteReparsePoint = &FileSystemCallbacks.DeleteReparsePoint;
    public static readonly delegate* unmanaged[Cdecl]<FspFileSystemHeader*, void*, char*, byte, void*, nuint*, int> GetReparsePointByName = &FileSystemCallbacks.GetReparsePointByName;

    /// <summary>Opens <paramref name="path"/> through the Open thunk and returns the context id.</summary>
    public static nint OpenPath(NativeFileSystem fileSystem, string path)
    {
        using var name = NativeBuffer.FromString(path);
        using var normalized = new NativeBuffer(2048);
        using var info = new NativeBuffer(sizeof(FspOpenFileInfo));
        var openInfo = (FspOpenFileInfo*)info.Pointer;
        openInfo->NormalizedName = (char*)normalized.Pointer;
        openInfo->NormalizedNameSize = 2048;
        nint context = 0;
        int status = Open(fileSystem.Pointer, name.AsChars, 0, 0, &context, openInfo);
        if (status != NtStatus.Success)
        {
            throw new InvalidOperationException($"Opening {path} failed: {NtStatus.Describe(status)}");
        }

        return context;
    }
}
