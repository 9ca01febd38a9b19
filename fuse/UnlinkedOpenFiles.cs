using System.Collections.Concurrent;
using System.Text;

namespace Layered.Fuse;

/// <summary>
/// Keeps files that were unlinked while open reachable for the kernel's path-less requests.
/// </summary>
/// <remarks>
/// libfuse's path API cannot serve fstat(2) of an unlinked open file by itself: the kernel sends
/// that GETATTR without the file handle, libfuse needs a path for it, and with <c>hard_remove</c>
/// the node has none (the result would be ESTALE; `cat &lt;&amp;3` of an unlinked file fails that way).
/// So the host runs without hard_remove: when a file that is open is unlinked, libfuse asks to
/// rename it to a private name <c>.fuse_hidden&lt;hex&gt;</c> in the same directory and keeps using that
/// name until the last release, when it unlinks it. The host intercepts that protocol so the file
/// system never sees the hidden name: the rename becomes the file system's Unlink (its own
/// unlink-while-open), path requests for the hidden name are answered through one of the file's
/// open handles, and the final unlink of the hidden name is swallowed. Readdir never lists it.
/// Names of exactly libfuse's form (<c>.fuse_hidden</c> and 16 hex digits) are therefore reserved
/// inside a mount: programs cannot create them, and a rename onto one is taken as libfuse's hide.
/// </remarks>
internal sealed class UnlinkedOpenFiles
{
    private static readonly byte[] HiddenPrefix = ".fuse_hidden"u8.ToArray();

    // Open regular-file handles of the file system (not directory handles).
    private readonly ConcurrentDictionary<ulong, byte> _openHandles = new();

    // Hidden name (its last path component: unique per mount, stable across renames of the
    // directories above it) -> inode of the unlinked file.
    private readonly ConcurrentDictionary<string, ulong> _hidden = new(StringComparer.Ordinal);

    public int Count => _hidden.Count;

    public void Opened(ulong handle) => _openHandles.TryAdd(handle, 0);

    public void Released(ulong handle) => _openHandles.TryRemove(handle, out _);

    /// <summary>
    /// True when the last component of <paramref name="path"/> has the exact form of libfuse's hidden
    /// names, ".fuse_hidden" followed by 16 lowercase hex digits (fuse.c: "%08x%08x" of nodeid and a counter).
    /// </summary>
    public static bool IsHidden(ReadOnlySpan<byte> path)
    {
        ReadOnlySpan<byte> name = path[(path.LastIndexOf((byte)'/') + 1)..];
        if (name.Length != HiddenPrefix.Length + 16 || !name.StartsWith(HiddenPrefix))
        {
            return false;
        }

        foreach (byte b in name[HiddenPrefix.Length..])
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>libfuse's rename of an open file to a hidden name: unlink it in the file system instead.</summary>
    public int Hide(IFuseFileSystem fileSystem, in FuseRequestContext caller, ReadOnlySpan<byte> from, ReadOnlySpan<byte> hiddenPath)
    {
        FileStat stat = default;
        int result = fileSystem.GetAttributes(caller, from, ref stat, null);
        if (result != 0)
        {
            return result;
        }

        // No check that the file is open: libfuse decides that from its own open count, which it
        // lowers only after our release callback has returned, so an "is it open" check here
        // would race with an asynchronous RELEASE and fail a legitimate unlink or rename.
        result = fileSystem.Unlink(caller, from);
        if (result == 0)
        {
            _hidden[NameOf(hiddenPath)] = stat.Inode;
        }

        return result;
    }

    /// <summary>stat of a hidden name: answered through an open handle of the same inode.</summary>
    public int GetAttributes(IFuseFileSystem fileSystem, in FuseRequestContext caller, ReadOnlySpan<byte> hiddenPath, ref FileStat stat)
    {
        if (!_hidden.TryGetValue(NameOf(hiddenPath), out ulong inode))
        {
            return -Errno.ENOENT; // libfuse probing for an unused hidden name
        }

        return TryFindOpenHandle(fileSystem, caller, inode, out stat) ? 0 : -Errno.ENOENT;
    }

    /// <summary>libfuse's unlink of a hidden name after the last release: the file system already forgot the name.</summary>
    public int Forget(ReadOnlySpan<byte> hiddenPath) =>
        _hidden.TryRemove(NameOf(hiddenPath), out _) ? 0 : -Errno.ENOENT;

    // A scan of the open handles: only done for unlinks of open files and fstat of them, both rare.
    private bool TryFindOpenHandle(IFuseFileSystem fileSystem, in FuseRequestContext caller, ulong inode, out FileStat stat)
    {
        foreach (ulong handle in _openHandles.Keys)
        {
            FileStat candidate = default;
            if (fileSystem.GetAttributes(caller, default, ref candidate, handle) == 0 && candidate.Inode == inode)
            {
                stat = candidate;
                return true;
            }
        }

        stat = default;
        return false;
    }

    private static string NameOf(ReadOnlySpan<byte> path) =>
        Encoding.UTF8.GetString(path[(path.LastIndexOf((byte)'/') + 1)..]);
}
