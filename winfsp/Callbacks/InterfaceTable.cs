using System.Runtime.InteropServices;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Callbacks;

/// <summary>
/// The 512-byte FSP_FILE_SYSTEM_INTERFACE in unmanaged memory, filled with the addresses of
/// <see cref="FileSystemCallbacks"/>. WinFsp keeps the pointer, so the owner (the host) frees it only
/// after FspFileSystemDelete. Wired: the Ex forms (CreateEx, OverwriteEx) and SetDelete, which take
/// precedence over Create, Overwrite and CanDelete; those stay null, as do Obsolete0, the reserved
/// slots, and the features Layered does not enable (streams, EAs, DeviceControl). The four reparse
/// slots serve symlinks.
/// </summary>
public sealed unsafe class InterfaceTable : IDisposable
{
    private FspFileSystemInterface* _table;

    private InterfaceTable(FspFileSystemInterface* table) => _table = table;

    /// <summary>The table's address, to pass to FspFileSystemCreate.</summary>
    public FspFileSystemInterface* Pointer =>
        _table is not null ? _table : throw new ObjectDisposedException(nameof(InterfaceTable));

    /// <summary>The function pointer in one slot (0 if the slot is empty).</summary>
    public nint this[int slot] => (*Pointer)[slot];

    public static InterfaceTable Create()
    {
        var table = (FspFileSystemInterface*)NativeMemory.AllocZeroed((nuint)sizeof(FspFileSystemInterface));
        ref FspFileSystemInterface slots = ref *table;
        slots[InterfaceSlot.GetVolumeInfo] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, FspVolumeInfo*, int>)&FileSystemCallbacks.GetVolumeInfo;
        slots[InterfaceSlot.SetVolumeLabel] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, FspVolumeInfo*, int>)&FileSystemCallbacks.SetVolumeLabel;
        slots[InterfaceSlot.GetSecurityByName] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint*, void*, nuint*, int>)&FileSystemCallbacks.GetSecurityByName;
        slots[InterfaceSlot.Open] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, uint, nint*, FspOpenFileInfo*, int>)&FileSystemCallbacks.Open;
        slots[InterfaceSlot.Cleanup] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, uint, void>)&FileSystemCallbacks.Cleanup;
        slots[InterfaceSlot.Close] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void>)&FileSystemCallbacks.Close;
        slots[InterfaceSlot.Read] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, ulong, uint, uint*, int>)&FileSystemCallbacks.Read;
        slots[InterfaceSlot.Write] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, ulong, uint, byte, byte, uint*, FspFileInfo*, int>)&FileSystemCallbacks.Write;
        slots[InterfaceSlot.Flush] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, FspFileInfo*, int>)&FileSystemCallbacks.Flush;
        slots[InterfaceSlot.GetFileInfo] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, FspFileInfo*, int>)&FileSystemCallbacks.GetFileInfo;
        slots[InterfaceSlot.SetBasicInfo] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, ulong, ulong, ulong, ulong, FspFileInfo*, int>)&FileSystemCallbacks.SetBasicInfo;
        slots[InterfaceSlot.SetFileSize] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, ulong, byte, FspFileInfo*, int>)&FileSystemCallbacks.SetFileSize;
        slots[InterfaceSlot.Rename] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, char*, byte, int>)&FileSystemCallbacks.Rename;
        slots[InterfaceSlot.GetSecurity] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, nuint*, int>)&FileSystemCallbacks.GetSecurity;
        slots[InterfaceSlot.SetSecurity] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, void*, int>)&FileSystemCallbacks.SetSecurity;
        slots[InterfaceSlot.ReadDirectory] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, char*, void*, uint, uint*, int>)&FileSystemCallbacks.ReadDirectory;
        slots[InterfaceSlot.ResolveReparsePoints] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, byte, IoStatusBlock*, void*, nuint*, int>)&FileSystemCallbacks.ResolveReparsePoints;
        slots[InterfaceSlot.GetReparsePoint] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint*, int>)&FileSystemCallbacks.GetReparsePoint;
        slots[InterfaceSlot.SetReparsePoint] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint, int>)&FileSystemCallbacks.SetReparsePoint;
        slots[InterfaceSlot.DeleteReparsePoint] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint, int>)&FileSystemCallbacks.DeleteReparsePoint;
        slots[InterfaceSlot.GetDirInfoByName] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, FspDirInfo*, int>)&FileSystemCallbacks.GetDirInfoByName;
        slots[InterfaceSlot.SetDelete] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, byte, int>)&FileSystemCallbacks.SetDelete;
        slots[InterfaceSlot.CreateEx] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, uint, uint, void*, ulong, void*, uint, byte, nint*, FspOpenFileInfo*, int>)&FileSystemCallbacks.CreateEx;
        slots[InterfaceSlot.OverwriteEx] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, byte, ulong, void*, uint, FspFileInfo*, int>)&FileSystemCallbacks.OverwriteEx;
        slots[InterfaceSlot.DispatcherStopped] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, byte, void>)&FileSystemCallbacks.DispatcherStopped;
        return new InterfaceTable(table);
    }

    public void Dispose()
    {
        if (_table is not null)
        {
            NativeMemory.Free(_table);
            _table = null;
        }
    }
}
