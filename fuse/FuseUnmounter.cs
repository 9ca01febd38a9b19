using System.Diagnostics;
using System.Runtime.InteropServices;
using Layered.Fuse.Interop;

namespace Layered.Fuse;

/// <summary>
/// Unmounts a FUSE mount from outside the process serving it (what `layered unmount` needs). The
/// serving process sees its loop end and tears down as after any unmount.
/// </summary>
public static class FuseUnmounter
{
    private const int EBUSY = 16;

    /// <summary>
    /// Unmounts the FUSE file system at <paramref name="mountPoint"/>. A busy mount is refused
    /// (EBUSY) unless <paramref name="lazy"/>, which detaches it now and lets open files finish.
    /// Throws <see cref="FuseMountException"/> with a one-line reason.
    /// </summary>
    public static void Unmount(string mountPoint, bool lazy = false)
    {
        string fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint));
        MountEntry? entry = MountTable.Find(fullPath);
        if (entry is null || !entry.FileSystemType.StartsWith("fuse", StringComparison.Ordinal))
        {
            throw new FuseMountException(FuseMountError.MountPointMissing,
                entry is null ? $"'{fullPath}' is not a mount point." : $"'{fullPath}' is a {entry.FileSystemType} mount, not a FUSE mount.");
        }

        if (LibC.geteuid() == 0)
        {
            if (LibC.umount2(fullPath, lazy ? LibC.MNT_DETACH : 0) == 0)
            {
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            throw new FuseMountException(errno == EBUSY ? FuseMountError.MountPointInUse : FuseMountError.MountFailed,
                errno == EBUSY
                    ? $"'{fullPath}' is busy (files are open in it); close them or unmount lazily."
                    : $"Cannot unmount '{fullPath}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        // Without root, only the setuid helper may unmount (and only the user's own mounts).
        var start = new ProcessStartInfo("fusermount3") { RedirectStandardError = true };
        start.ArgumentList.Add("-u");
        if (lazy)
        {
            start.ArgumentList.Add("-z");
        }

        start.ArgumentList.Add(fullPath);
        using Process process = Process.Start(start)
            ?? throw new FuseMountException(FuseMountError.LibraryMissing, "fusermount3 could not be started (install the Debian package fuse3).");
        string error = process.StandardError.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new FuseMountException(FuseMountError.MountFailed, $"Cannot unmount '{fullPath}': {error}");
        }
    }
}
