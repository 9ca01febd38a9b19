using System.Runtime.InteropServices;

namespace Layered.Fuse;

/// <summary>
/// libfuse's <c>struct fuse_file_info</c>, laid out exactly as in fuse_common.h of libfuse 3.14
/// (40 bytes on 64-bit). The file system receives it by reference in open/create/opendir (where
/// it sets <see cref="Handle"/> and the cache flags) and in every call on an open file.
/// The C bitfields live in one 32-bit word; their bit positions are checked against the C
/// compiler by the layout test.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FuseFileInfo
{
    internal const int WritePageBit = 0;
    internal const int DirectIoBit = 1;
    internal const int KeepCacheBit = 2;
    internal const int FlushBit = 3;
    internal const int NonSeekableBit = 4;
    internal const int FlockReleaseBit = 5;
    internal const int CacheReaddirBit = 6;
    internal const int NoFlushBit = 7;

    /// <summary>open(2) flags (O_ACCMODE, O_APPEND, O_TRUNC, ...).</summary>
    public int Flags;

    // writepage:1 direct_io:1 keep_cache:1 flush:1 nonseekable:1 flock_release:1
    // cache_readdir:1 noflush:1 padding:24
    private uint _bits;

    // padding2:32 (reserved by libfuse)
    private uint _padding2;

    /// <summary>The file system's own 64-bit handle, chosen in open/create/opendir.</summary>
    public ulong Handle;

    /// <summary>Lock owner id (flush, locking operations).</summary>
    public ulong LockOwner;

    /// <summary>Requested poll events (poll is not bound).</summary>
    public uint PollEvents;

    /// <summary>Set by libfuse when a write comes from the page cache (writeback of mmap'd or cached data).</summary>
    public readonly bool WritePage => GetBit(WritePageBit);

    /// <summary>Open: bypass the page cache for this handle.</summary>
    public bool DirectIo { readonly get => GetBit(DirectIoBit); set => SetBit(DirectIoBit, value); }

    /// <summary>Open: keep cached data of this file valid across opens.</summary>
    public bool KeepCache { readonly get => GetBit(KeepCacheBit); set => SetBit(KeepCacheBit, value); }

    /// <summary>Set in release/lock when the data should be flushed.</summary>
    public readonly bool Flush => GetBit(FlushBit);

    /// <summary>Open: the file is not seekable.</summary>
    public bool NonSeekable { readonly get => GetBit(NonSeekableBit); set => SetBit(NonSeekableBit, value); }

    /// <summary>Release: flock locks of <see cref="LockOwner"/> should be released.</summary>
    public readonly bool FlockRelease => GetBit(FlockReleaseBit);

    /// <summary>Opendir: let the kernel cache readdir results.</summary>
    public bool CacheReaddir { readonly get => GetBit(CacheReaddirBit); set => SetBit(CacheReaddirBit, value); }

    /// <summary>Open: no flush is needed on close.</summary>
    public bool NoFlush { readonly get => GetBit(NoFlushBit); set => SetBit(NoFlushBit, value); }

    /// <summary>O_ACCMODE part of <see cref="Flags"/>: 0 read-only, 1 write-only, 2 read-write.</summary>
    public readonly int AccessMode => Flags & 3;

    /// <summary>True when the file was opened with O_APPEND.</summary>
    public readonly bool IsAppend => (Flags & OpenFlags.Append) != 0;

    private readonly bool GetBit(int bit) => (_bits & (1u << bit)) != 0;

    private void SetBit(int bit, bool value)
    {
        if (value)
        {
            _bits |= 1u << bit;
        }
        else
        {
            _bits &= ~(1u << bit);
        }
    }
}

/// <summary>open(2) flag values on Linux (x86_64 and arm64 share them).</summary>
public static class OpenFlags
{
    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public const int ReadWrite = 2;
    public const int AccessModeMask = 3;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int Truncate = 0x200;
    public const int Append = 0x400;
}
