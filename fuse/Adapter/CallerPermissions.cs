using Layered.Fsd;

namespace Layered.Fuse.Adapter;

/// <summary>
/// The permission check the kernel makes under default_permissions (generic_permission: mode bits of owner, group
/// or others, root exempt but for execution), for the mounts where the kernel leaves it to the file system.
/// Layered stores no POSIX ACLs, so the mode bits are the whole answer.
/// </summary>
internal static class CallerPermissions
{
    public const int Read = 4;
    public const int Write = 2;
    public const int Execute = 1;

    /// <summary>Whether the caller may do what <paramref name="mask"/> (Read | Write | Execute) asks of the node.
    /// <paramref name="groups"/> gives the caller's supplementary groups; it is asked only when needed.</summary>
    public static bool Allows(in FuseRequestContext caller, in FileInformation node, int mask, Func<int, IReadOnlyCollection<uint>> groups)
    {
        uint mode = (uint)node.Mode;
        if (caller.Uid == 0)
        {
            // Root reads and writes anything; it executes a file only if someone may, and searches any directory.
            return (mask & Execute) == 0 || node.IsDirectory || (mode & 0b001_001_001) != 0;
        }
        int granted;
        if (caller.Uid == (uint)node.Uid)
            granted = (int)(mode >> 6) & 7;
        else if (caller.Gid == (uint)node.Gid || groups(caller.Pid).Contains((uint)node.Gid))
            granted = (int)(mode >> 3) & 7;
        else
            granted = (int)mode & 7;
        return (mask & ~granted) == 0;
    }

    /// <summary>The access an open(2) with these flags asks for: read and/or write, and write for O_TRUNC.</summary>
    public static int MaskOfOpen(int flags)
    {
        int mask = (flags & OpenFlags.AccessModeMask) switch
        {
            OpenFlags.WriteOnly => Write,
            OpenFlags.ReadWrite => Read | Write,
            _ => Read,
        };
        return (flags & OpenFlags.Truncate) != 0 ? mask | Write : mask;
    }
}
