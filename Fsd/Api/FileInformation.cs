using Layered.Backing;

namespace Layered.Fsd;

public enum NodeType : byte { File = 1, Directory = 2, Symlink = 3 }

/// <summary>NT file attributes the engine keeps (the FILE_ATTRIBUTE_* values).</summary>
[Flags]
public enum NtAttributes : uint
{
    None = 0,
    ReadOnly = 0x1,
    Hidden = 0x2,
    System = 0x4,
    Directory = 0x10,
    Archive = 0x20,
    Normal = 0x80,
    Temporary = 0x100,
    ReparsePoint = 0x400,
    NotContentIndexed = 0x2000,
    /// <summary>The attributes a caller may set; the rest are derived by the engine.</summary>
    Settable = ReadOnly | Hidden | System | Archive | Temporary | NotContentIndexed,
}

/// <summary>Everything both hosts report about a file: the exact state after the operation that returned it.</summary>
public readonly record struct FileInformation(
    NodeType Type,
    ulong InodeNumber,
    long EndOfFile,
    long AllocationSize,
    long ValidDataLength,
    NtAttributes Attributes,
    UnixMode Mode,
    int Uid,
    int Gid,
    int LinkCount,
    DateTime CreationUtc,
    DateTime LastAccessUtc,
    DateTime LastWriteUtc,
    DateTime ChangeUtc)
{
    public bool IsDirectory => Type == NodeType.Directory;
}

/// <summary>One entry of a directory listing.</summary>
public readonly record struct DirectoryEntry(string Name, FileInformation Info);

public readonly record struct VolumeStatistics(long TotalBytes, long FreeBytes, long AvailableBytes, int MaxNameLength);
