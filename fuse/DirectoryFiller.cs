using System.Runtime.CompilerServices;
using Layered.Fuse.Interop;

namespace Layered.Fuse;

/// <summary>
/// Adds directory entries to libfuse's readdir buffer. A thin wrapper over the native
/// <c>fuse_fill_dir_t</c>: each entry is copied once, on the stack, into a NUL-terminated name and a
/// native <c>struct stat</c>; nothing is allocated per entry.
/// </summary>
public readonly unsafe ref struct DirectoryFiller
{
    private const int FillDirPlus = 2; // FUSE_FILL_DIR_PLUS
    private const int NameMax = 1024;

    private readonly delegate* unmanaged<nint, byte*, void*, long, int, int> _fill;
    private readonly nint _buffer;

    internal DirectoryFiller(delegate* unmanaged<nint, byte*, void*, long, int, int> fill, nint buffer, bool plus)
    {
        _fill = fill;
        _buffer = buffer;
        WantsFullAttributes = plus;
    }

    /// <summary>
    /// True for READDIRPLUS: the kernel caches the full attributes given with each entry, so they
    /// must be complete. Otherwise only the inode and the file type bits of the mode are used.
    /// </summary>
    public bool WantsFullAttributes { get; }

    /// <summary>
    /// Adds one entry. <paramref name="nextOffset"/> is 0 when the whole directory is listed in one
    /// call, or the offset of the entry that follows this one. Returns false when the buffer is full
    /// (only possible with non-zero offsets); the entry was then not added.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> name, in FileStat stat, long nextOffset) =>
        Add(name, stat, nextOffset, WantsFullAttributes ? FillDirPlus : 0);

    /// <summary>
    /// Adds an entry with only its inode and file type known; under READDIRPLUS the kernel then
    /// looks the entry up itself when it needs the attributes.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, uint mode, long nextOffset)
    {
        FileStat stat = default;
        stat.Inode = inode;
        stat.Mode = mode;
        return Add(name, stat, nextOffset, 0);
    }

    // Both buffers are written completely before use, so zero-initialising them is wasted work.
    [SkipLocalsInit]
    private bool Add(ReadOnlySpan<byte> name, in FileStat stat, long nextOffset, int flags)
    {
        if (name.Length == 0 || name.Length >= NameMax)
        {
            throw new ArgumentException($"Directory entry name length {name.Length} is outside 1..{NameMax - 1}.", nameof(name));
        }

        byte* cName = stackalloc byte[name.Length + 1];
        name.CopyTo(new Span<byte>(cName, name.Length));
        cName[name.Length] = 0;

        byte* nativeStat = stackalloc byte[NativeStat.MaxSize];
        NativeStat.Write(stat, nativeStat);

        int full = _fill(_buffer, cName, nativeStat, nextOffset, flags);
        return full == 0;
    }
}
