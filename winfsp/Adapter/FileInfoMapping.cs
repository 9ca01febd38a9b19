using Layered.Fsd;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Adapter;

/// <summary>Engine file information in WinFsp's terms (FSP_FSCTL_FILE_INFO) and FILETIME conversions.</summary>
public static class FileInfoMapping
{
    private static readonly DateTime FileTimeEpoch = new(1601, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The FileInfo WinFsp caches. A symlink is a reparse point with IO_REPARSE_TAG_SYMLINK, FILE_ATTRIBUTE_DIRECTORY
    /// when <paramref name="directorySymlink"/> (the adapter decides, docs/windows.md "Symlinks"), and no data:
    /// its size is 0, as on NTFS, whatever length the engine stores for its target.
    /// </summary>
    public static FspFileInfo ToFileInfo(in FileInformation info, bool directorySymlink = false)
    {
        bool symlink = info.Type == NodeType.Symlink;
        uint attributes = (uint)(info.Attributes & ~NtAttributes.ReparsePoint);
        if (symlink)
        {
            attributes = (uint)(info.Attributes & NtAttributes.Settable) | FileAttributeBits.ReparsePoint;
            if (directorySymlink)
                attributes |= FileAttributeBits.Directory;
        }
        if (attributes == 0)
            attributes = FileAttributeBits.Normal;
        return new FspFileInfo
        {
            FileAttributes = attributes,
            ReparseTag = symlink ? ReparseDataBuffer.SymlinkTag : 0,
            AllocationSize = symlink ? 0 : (ulong)Math.Max(info.AllocationSize, 0),
            FileSize = symlink ? 0 : (ulong)Math.Max(info.EndOfFile, 0),
            CreationTime = ToFileTime(info.CreationUtc),
            LastAccessTime = ToFileTime(info.LastAccessUtc),
            LastWriteTime = ToFileTime(info.LastWriteUtc),
            ChangeTime = ToFileTime(info.ChangeUtc),
            IndexNumber = info.InodeNumber,
            HardLinks = 0,
            EaSize = 0,
        };
    }

    /// <summary>FILETIME ticks; 0 for a time before 1601 (which FILETIME cannot express).</summary>
    public static ulong ToFileTime(DateTime utc) =>
        utc <= FileTimeEpoch ? 0 : (ulong)(utc.ToUniversalTime().Ticks - FileTimeEpoch.Ticks);

    /// <summary>SetBasicInfo's rule: 0 means "leave unchanged" (the FSD already mapped -1 to 0).</summary>
    public static DateTime? FromSetTime(ulong fileTime) =>
        fileTime == 0 ? null : new DateTime((long)Math.Min(fileTime, (ulong)(DateTime.MaxValue.Ticks - FileTimeEpoch.Ticks)) + FileTimeEpoch.Ticks, DateTimeKind.Utc);

    /// <summary>SetBasicInfo's rule: INVALID_FILE_ATTRIBUTES means "leave unchanged"; anything else replaces the
    /// settable attributes (0, which is also what a caller's lone FILE_ATTRIBUTE_NORMAL arrives as, clears them).</summary>
    public static NtAttributes? FromSetAttributes(uint fileAttributes) =>
        fileAttributes == FileAttributeBits.Invalid ? null : (NtAttributes)fileAttributes & NtAttributes.Settable;
}
