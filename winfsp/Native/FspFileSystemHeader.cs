using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// FSP_FILE_SYSTEM (792 bytes on x64), declared so the fields Layered reads sit at their documented
/// offsets (winfsp.md §2.7). The DLL allocates and owns it; Layered writes only UserContext (a GCHandle
/// to the managed file system) and reads VolumeName and MountPoint.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 792)]
public unsafe struct FspFileSystemHeader
{
    public const int VolumeNameChars = 256;

    [FieldOffset(0)] public ushort Version;
    [FieldOffset(8)] public nint UserContext;
    [FieldOffset(16)] public fixed char VolumeName[VolumeNameChars];
    [FieldOffset(528)] public nint VolumeHandle;
    [FieldOffset(728)] public FspFileSystemInterface* Interface;
    [FieldOffset(744)] public uint DispatcherThreadCount;
    [FieldOffset(748)] public int DispatcherResult;
    [FieldOffset(752)] public char* MountPoint;
    [FieldOffset(768)] public uint DebugLog;
    [FieldOffset(772)] public int OpGuardStrategy;
    [FieldOffset(784)] public byte UmFileContextIsUserContext2;
    [FieldOffset(785)] public byte UmFileContextIsFullContext;
}
