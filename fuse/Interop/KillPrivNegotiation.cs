using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Layered.Fuse.Interop;

/// <summary>
/// Negotiates FUSE_HANDLE_KILLPRIV_V2, which libfuse 3.14 (Debian 12) does not know and so never offers. Without
/// it the kernel asks the file system for security.capability before every write(2) (file_remove_privs: FUSE
/// superblocks are not SB_NOSEC), a GETXATTR round trip per write that took most of the time of 4 KiB random
/// writes (docs/benchmarks.md, item 24). With it the kernel marks the mount SB_NOSEC, checks a file once, and
/// leaves clearing set-user-ID and set-group-ID on write, truncate and chown to the file system.
///
/// libfuse builds the INIT reply from the capabilities it knows, so the flag is added to the reply on its way
/// out: the session's I/O is replaced (fuse_session_custom_io) by plain read(2) and a writev that sets the bit in
/// the first reply of the session, which is always INIT's (the kernel sends nothing else before it is answered),
/// when that reply is a successful one to a kernel of protocol 7.33 or later. Every later reply is passed to
/// writev(2) untouched.
///
/// read is libc's own function, not a managed one: libfuse cancels its request threads (pthread_cancel) while
/// they sit in that read at unmount, and a cancellation must never unwind through managed frames. libc's read
/// takes three arguments and libfuse passes a fourth (its user data), which the C calling conventions of x86-64
/// and arm64 let a callee ignore. writev runs with cancellation disabled (libfuse enables it only to receive).
/// </summary>
internal static unsafe class KillPrivNegotiation
{
    /// <summary>FUSE_HANDLE_KILLPRIV_V2, bit 28 of fuse_init_out.flags.</summary>
    public const uint HandleKillprivV2 = 1u << 28;

    /// <summary>The protocol minor version that introduced it.</summary>
    public const uint MinimumMinor = 33;

    private const int OutHeaderSize = 16;    // struct fuse_out_header: len, error, unique
    private const int InitOutFlagsOffset = 12; // struct fuse_init_out: major, minor, max_readahead, flags

    [StructLayout(LayoutKind.Sequential)]
    private struct CustomIo
    {
        public nint Writev;
        public nint Read;
        public nint SpliceReceive;
        public nint SpliceSend;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>A session's negotiation: set once its INIT reply went out.</summary>
    public sealed class Outcome
    {
        private readonly TaskCompletionSource<bool> _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes with true (granted) or false when the INIT reply has gone out, or the session ended
        /// before it. libfuse calls the file system's init before it sends that reply, so "ready" comes first.</summary>
        public Task<bool> Decided => _decided.Task;

        public bool Granted => _decided.Task.IsCompletedSuccessfully && _decided.Task.Result;

        /// <summary>What the INIT reply looked like, for the log.</summary>
        public string? Detail { get; private set; }

        /// <summary>The kernel's protocol minor version, from its INIT request (the host's init callback, which
        /// libfuse runs before it sends the reply).</summary>
        public uint KernelMinor
        {
            get => Volatile.Read(ref _kernelMinor);
            set => Volatile.Write(ref _kernelMinor, value);
        }

        private uint _kernelMinor;

        internal void Set(bool granted, string detail)
        {
            Detail = detail;
            _decided.TrySetResult(granted);
        }
    }

    // Sessions (by libfuse's user data, the struct fuse*) whose INIT reply has not gone out yet. The count lets
    // every other reply skip the dictionary.
    private static readonly ConcurrentDictionary<nint, Outcome> AwaitingInit = new();
    private static int _awaiting;

    /// <summary>
    /// Replaces the session's I/O of the mounted <paramref name="fuse"/> (after fuse_mount, before the loop
    /// starts). Null when this libfuse has no custom I/O or refuses it: the mount then works as before, with the
    /// kernel killing privileges itself.
    /// </summary>
    public static Outcome? Install(nint fuse, out string? whyNot)
    {
        whyNot = null;
        if (LibFuse.SessionCustomIo is null)
        {
            whyNot = "this libfuse has no fuse_session_custom_io (3.13 or newer)";
            return null;
        }
        if (!NativeLibrary.TryLoad("libc.so.6", out nint libc) || !NativeLibrary.TryGetExport(libc, "read", out nint read))
        {
            whyNot = "libc's read could not be found";
            return null;
        }
        nint session = LibFuse.GetSession(fuse);
        int fd = LibFuse.SessionFd(session);
        var outcome = new Outcome();
        AwaitingInit[fuse] = outcome;
        Interlocked.Increment(ref _awaiting);
        var io = new CustomIo { Writev = (nint)(delegate* unmanaged<int, IoVec*, int, nint, nint>)&Writev, Read = read };
        // libfuse copies the structure.
        int result = LibFuse.SessionCustomIo(session, &io, fd);
        if (result != 0)
        {
            Forget(fuse);
            whyNot = $"fuse_session_custom_io failed ({result})";
            return null;
        }
        return outcome;
    }

    /// <summary>Drops a session that ended before its INIT reply.</summary>
    public static void Forget(nint fuse)
    {
        if (AwaitingInit.TryRemove(fuse, out var outcome))
        {
            Interlocked.Decrement(ref _awaiting);
            outcome.Set(false, "the session ended before INIT was answered");
        }
    }

    [UnmanagedCallersOnly]
    private static nint Writev(int fd, IoVec* iov, int count, nint userData)
    {
        if (Volatile.Read(ref _awaiting) != 0 && AwaitingInit.TryRemove(userData, out var outcome))
        {
            Interlocked.Decrement(ref _awaiting);
            outcome.Set(TryGrant(iov, count, outcome.KernelMinor, out string detail), detail);
        }
        nint written = LibC.writev(fd, iov, count);
        if (written < 0)
            Marshal.SetLastSystemError(Marshal.GetLastPInvokeError()); // libfuse reads errno (ENOENT: interrupted)
        return written;
    }

    /// <summary>struct fuse_write_in, which precedes a WRITE's data in the request libfuse read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct WriteIn
    {
        public ulong Handle;
        public ulong Offset;
        public uint Size;
        public uint WriteFlags;
        public ulong LockOwner;
        public uint Flags;
        public uint Padding;
    }

    private const uint WriteKillSuidgid = 1u << 2; // FUSE_WRITE_KILL_SUIDGID

    /// <summary>
    /// The kernel's FUSE_WRITE_KILL_SUIDGID for a write, which libfuse 3.14 does not pass on: read from the
    /// fuse_write_in right before the data libfuse hands to the write callback. With this session's I/O (no
    /// splice) libfuse reads each request whole into its buffer and passes a pointer into it, so that header is
    /// there; it is trusted only when its handle, offset and size are this write's, else null (not known).
    /// </summary>
    public static bool? WriteKillsSetIdBits(byte* data, nuint size, long offset, ulong handle)
    {
        var header = (WriteIn*)(data - sizeof(WriteIn));
        if (header->Handle != handle || header->Offset != (ulong)offset || header->Size != size)
            return null;
        return (header->WriteFlags & WriteKillSuidgid) != 0;
    }

    /// <summary>Sets the flag in a successful INIT reply to a kernel of protocol 7.33 or later; false for anything
    /// else. libfuse 3.14 answers with its own minor version, 7.31: the kernel takes the flags it knows whatever
    /// minor the reply names (the version only sizes the structures, which 7.31 and 7.33 share for the requests
    /// concerned), so what matters is that the kernel knows the flag.</summary>
    private static bool TryGrant(IoVec* iov, int count, uint kernelMinor, out string detail)
    {
        detail = $"{count} parts";
        if (count < 2 || iov[0].Length != OutHeaderSize || iov[1].Length < InitOutFlagsOffset + 4)
            return false;
        int error = *(int*)(iov[0].Base + 4);
        uint major = *(uint*)iov[1].Base;
        uint minor = *(uint*)(iov[1].Base + 4);
        detail = $"error {error}, protocol {major}.{minor} to a kernel of 7.{kernelMinor}";
        if (error != 0 || major != 7 || kernelMinor < MinimumMinor)
            return false;
        *(uint*)(iov[1].Base + InitOutFlagsOffset) |= HandleKillprivV2;
        return true;
    }
}
