using System.Runtime.CompilerServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// FSP_FILE_SYSTEM_INTERFACE: 64 function-pointer slots, 512 bytes. The DLL stores the pointer, it does
/// not copy the table, so it must live in unmanaged memory for as long as the file system exists.
/// </summary>
[InlineArray(InterfaceSlot.Count)]
public struct FspFileSystemInterface
{
    private nint _slot0;
}

/// <summary>Slot index of every callback in <see cref="FspFileSystemInterface"/> (winfsp.md §2.8).</summary>
public static class InterfaceSlot
{
    public const int GetVolumeInfo = 0;
    public const int SetVolumeLabel = 1;
    public const int GetSecurityByName = 2;
    public const int Create = 3;
    public const int Open = 4;
    public const int Overwrite = 5;
    public const int Cleanup = 6;
    public const int Close = 7;
    public const int Read = 8;
    public const int Write = 9;
    public const int Flush = 10;
    public const int GetFileInfo = 11;
    public const int SetBasicInfo = 12;
    public const int SetFileSize = 13;
    public const int CanDelete = 14;
    public const int Rename = 15;
    public const int GetSecurity = 16;
    public const int SetSecurity = 17;
    public const int ReadDirectory = 18;
    public const int ResolveReparsePoints = 19;
    public const int GetReparsePoint = 20;
    public const int SetReparsePoint = 21;
    public const int DeleteReparsePoint = 22;
    public const int GetStreamInfo = 23;
    public const int GetDirInfoByName = 24;
    public const int Control = 25;
    public const int SetDelete = 26;
    public const int CreateEx = 27;
    public const int OverwriteEx = 28;
    public const int GetEa = 29;
    public const int SetEa = 30;

    /// <summary>Held a short-lived beta operation; must stay null.</summary>
    public const int Obsolete0 = 31;
    public const int DispatcherStopped = 32;

    /// <summary>Slots 33-63 are reserved and must be zero.</summary>
    public const int FirstReserved = 33;
    public const int Count = 64;
}
