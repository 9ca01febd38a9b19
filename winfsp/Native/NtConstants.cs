namespace Layered.WinFsp.Native;

/// <summary>
/// CreateOptions as WinFsp passes them to Create and Open: the low 24 bits are FILE_* create options,
/// bits 24-31 still carry the create disposition (winfsp.md §2.11).
/// </summary>
public static class CreateOptions
{
    public const uint DirectoryFile = 0x00000001;
    public const uint WriteThrough = 0x00000002;
    public const uint NonDirectoryFile = 0x00000040;
    public const uint NoIntermediateBuffering = 0x00000008;
    public const uint DeleteOnClose = 0x00001000;
    public const uint OpenReparsePoint = 0x00200000;
    public const uint OptionsMask = 0x00FFFFFF;

    /// <summary>The create disposition carried in bits 24-31.</summary>
    public static CreateDisposition Disposition(uint createOptions) => (CreateDisposition)(createOptions >> 24);
}

/// <summary>FILE_SUPERSEDE .. FILE_OVERWRITE_IF (wdm.h values).</summary>
public enum CreateDisposition : uint
{
    Supersede = 0,
    Open = 1,
    Create = 2,
    OpenIf = 3,
    Overwrite = 4,
    OverwriteIf = 5,
}

/// <summary>Win32 FILE_ATTRIBUTE_* bits used in FileInfo and SetBasicInfo.</summary>
public static class FileAttributeBits
{
    public const uint ReadOnly = 0x1;
    public const uint Hidden = 0x2;
    public const uint System = 0x4;
    public const uint Directory = 0x10;
    public const uint Archive = 0x20;
    public const uint Normal = 0x80;
    public const uint ReparsePoint = 0x400;

    /// <summary>INVALID_FILE_ATTRIBUTES: in SetBasicInfo it means "leave the attributes unchanged".</summary>
    public const uint Invalid = 0xFFFFFFFF;
}

/// <summary>Flags of the Cleanup callback (FspCleanup* in winfsp.h).</summary>
[Flags]
public enum CleanupFlags : uint
{
    None = 0,
    Delete = 0x01,
    SetAllocationSize = 0x02,
    SetArchiveBit = 0x10,
    SetLastAccessTime = 0x20,
    SetLastWriteTime = 0x40,
    SetChangeTime = 0x80,
}

/// <summary>FSP_FILE_SYSTEM_OPERATION_GUARD_STRATEGY.</summary>
public enum OperationGuardStrategy
{
    /// <summary>Exclusive only for namespace changes; the default, and what Layered uses.</summary>
    Fine = 0,

    /// <summary>Serializes every operation of the volume.</summary>
    Coarse = 1,
}
