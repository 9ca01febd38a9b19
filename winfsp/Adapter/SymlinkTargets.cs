using System.Text;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// The one translation between a Windows symlink (IO_REPARSE_TAG_SYMLINK data) and an engine symlink target (a
/// POSIX string, what the Linux host's readlink shows). The rules (docs/windows.md, "Symlinks"):
/// <list type="bullet">
/// <item>Separators: '\' becomes '/' on the way in and '/' becomes '\' on the way out. A '/' in a Windows target
/// is taken as a separator too (Windows names cannot contain it) and reads back as '\'.</item>
/// <item>Relative targets (SYMLINK_FLAG_RELATIVE) stay relative: "..\a\b" is "../a/b". A relative target that
/// starts with '\' is rooted at the volume, and so is a POSIX target that starts with '/': "\a\b" is "/a/b".</item>
/// <item>Absolute targets ("\??\L:\a\b") are accepted only when the FSD says they point into this file system
/// (TargetOnFileSystem); they are stored rooted at the volume ("/a/b") and read back as the relative, volume-rooted
/// "\a\b", which resolves to the same file on whatever drive letter or folder the vault is mounted. A target
/// outside the volume is refused with STATUS_ACCESS_DENIED, as WinFsp's FUSE layer does: it would mean nothing
/// on another machine or on Linux.</item>
/// <item>Directory symlinks keep one trailing '/' in the engine target ("..\dir" is "../dir/"), which POSIX
/// resolves only to a directory; reading back removes that one '/'. A file symlink whose target ends in a
/// separator could never resolve and is refused (STATUS_IO_REPARSE_DATA_INVALID).</item>
/// <item>The print name is not kept: the buffer read back has print name = substitute name.</item>
/// </list>
/// </summary>
public static class SymlinkTargets
{
    /// <summary>The engine's limit on a symlink target (Volume.CreateSymlink: PATH_MAX bytes of UTF-8).</summary>
    public const int MaxTargetBytes = 4096;

    /// <summary>
    /// The engine target for a Windows symlink. STATUS_SUCCESS, STATUS_ACCESS_DENIED (absolute target outside this
    /// file system), or STATUS_IO_REPARSE_DATA_INVALID (a NUL, a file link ending in a separator, too long).
    /// </summary>
    /// <param name="targetOnFileSystem">For an absolute target, the FSD's byte offset of the in-volume path in the
    /// substitute name; 0 when the target is not on this file system.</param>
    public static int ToEngine(in SymlinkReparseData data, int targetOnFileSystem, bool directory, out string target)
    {
        target = "";
        string name = data.SubstituteName;
        if (!data.Relative)
        {
            int start = targetOnFileSystem / sizeof(char);
            if (targetOnFileSystem <= 0 || targetOnFileSystem % sizeof(char) != 0 || start > name.Length)
                return NtStatus.AccessDenied;
            name = name[start..];
            if (name.Length == 0)
                name = "\\";
            if (name[0] != '\\')
                return NtStatus.IoReparseDataInvalid;
        }
        if (name.Length == 0 || name.Contains('\0'))
            return NtStatus.IoReparseDataInvalid;
        string posix = name.Replace('\\', '/');
        if (directory)
            posix += "/";
        else if (posix.EndsWith('/'))
            return NtStatus.IoReparseDataInvalid;
        if (Encoding.UTF8.GetByteCount(posix) > MaxTargetBytes)
            return NtStatus.IoReparseDataInvalid;
        target = posix;
        return NtStatus.Success;
    }

    /// <summary>
    /// The Windows symlink for an engine target: always SYMLINK_FLAG_RELATIVE (a leading '/' becomes a volume-rooted
    /// '\'), print name = substitute name. <paramref name="directory"/> is true when the target carries the trailing
    /// '/' of a directory symlink; a target without it is a directory symlink only if it resolves to a directory
    /// (the adapter decides that).
    /// </summary>
    public static SymlinkReparseData ToWindows(string engineTarget, out bool directory)
    {
        directory = engineTarget.EndsWith('/');
        string posix = directory && engineTarget.Length > 1 ? engineTarget[..^1] : engineTarget;
        string windows = posix.Replace('/', '\\');
        return new SymlinkReparseData(windows, windows, Relative: true);
    }
}
