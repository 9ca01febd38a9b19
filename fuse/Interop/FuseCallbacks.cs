using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Layered.Fuse.Interop;

/// <summary>
/// The native entry points libfuse calls. Each one finds the mount's <see cref="FuseHost"/> through
/// fuse_get_context()->private_data (a GCHandle), builds the caller context, turns native pointers
/// into spans and forwards to the <see cref="IFuseFileSystem"/>. Nothing is allocated on the way.
/// Every callback catches every exception (logged, answered with -EIO): an exception must never
/// unwind into libfuse's C frames.
/// </summary>
internal static unsafe class FuseCallbacks
{
    /// <summary>The operations table handed to fuse_new; slots not listed stay null.</summary>
    public static FuseOperations CreateOperations() => new()
    {
        getattr = &GetAttr,
        readlink = &ReadLink,
        mknod = &MakeNode,
        mkdir = &MakeDirectory,
        unlink = &Unlink,
        rmdir = &RemoveDirectory,
        symlink = &Symlink,
        rename = &Rename,
        link = &Link,
        chmod = &ChangeMode,
        chown = &ChangeOwner,
        truncate = &Truncate,
        open = &Open,
        read = &Read,
        write = &Write,
        statfs = &StatFs,
        flush = &Flush,
        release = &Release,
        fsync = &FSync,
        setxattr = &SetXattr,
        getxattr = &GetXattr,
        listxattr = &ListXattr,
        removexattr = &RemoveXattr,
        opendir = &OpenDir,
        readdir = &ReadDir,
        releasedir = &ReleaseDir,
        fsyncdir = &FSyncDir,
        init = &Init,
        destroy = &Destroy,
        access = &Access,
        create = &Create,
        utimens = &UpdateTimes,
        fallocate = &Allocate,
        copy_file_range = &CopyFileRange,
        lseek = &Seek,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FuseHost Enter(out FuseRequestContext caller)
    {
        FuseContext* context = LibFuse.GetContext();
        caller = new FuseRequestContext(context->uid, context->gid, context->pid, context->umask);
        return Unsafe.As<FuseHost>(GCHandle.FromIntPtr(context->private_data).Target!);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> PathOf(byte* path) =>
        path == null ? default : MemoryMarshal.CreateReadOnlySpanFromNullTerminated(path);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong? HandleOf(FuseFileInfo* file) => file == null ? null : file->Handle;

    private static int Failed(FuseHost? host, Exception exception, string operation)
    {
        host?.ReportCallbackFailure(exception, operation);
        return -Errno.EIO;
    }

    [UnmanagedCallersOnly]
    private static int GetAttr(byte* path, void* stat, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            FileStat managed = default;
            ReadOnlySpan<byte> name = PathOf(path);
            int result = file == null && UnlinkedOpenFiles.IsHidden(name)
                ? host.UnlinkedFiles.GetAttributes(host.FileSystem, caller, name, ref managed)
                : host.FileSystem.GetAttributes(caller, name, ref managed, HandleOf(file));
            if (result == 0)
            {
                NativeStat.Write(managed, stat);
            }

            return result;
        }
        catch (Exception e)
        {
            return Failed(host, e, "getattr");
        }
    }

    [UnmanagedCallersOnly]
    private static int ReadLink(byte* path, byte* buffer, nuint size)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            if (size == 0)
            {
                return -Errno.EINVAL;
            }

            // Leave room for the NUL libfuse expects; a longer target is truncated, as readlink(2) does.
            int capacity = (int)Math.Min(size - 1, int.MaxValue);
            int result = host.FileSystem.ReadLink(caller, PathOf(path), new Span<byte>(buffer, capacity));
            if (result < 0)
            {
                return result;
            }

            buffer[Math.Min(result, capacity)] = 0;
            return 0;
        }
        catch (Exception e)
        {
            return Failed(host, e, "readlink");
        }
    }

    [UnmanagedCallersOnly]
    private static int MakeNode(byte* path, uint mode, ulong device)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return UnlinkedOpenFiles.IsHidden(PathOf(path)) ? -Errno.EINVAL : host.FileSystem.MakeNode(caller, PathOf(path), mode, device);
        }
        catch (Exception e)
        {
            return Failed(host, e, "mknod");
        }
    }

    [UnmanagedCallersOnly]
    private static int MakeDirectory(byte* path, uint mode)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return UnlinkedOpenFiles.IsHidden(PathOf(path)) ? -Errno.EINVAL : host.FileSystem.MakeDirectory(caller, PathOf(path), mode);
        }
        catch (Exception e)
        {
            return Failed(host, e, "mkdir");
        }
    }

    [UnmanagedCallersOnly]
    private static int Unlink(byte* path)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            ReadOnlySpan<byte> name = PathOf(path);
            return UnlinkedOpenFiles.IsHidden(name)
                ? host.UnlinkedFiles.Forget(name)
                : host.FileSystem.Unlink(caller, name);
        }
        catch (Exception e)
        {
            return Failed(host, e, "unlink");
        }
    }

    [UnmanagedCallersOnly]
    private static int RemoveDirectory(byte* path)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.RemoveDirectory(caller, PathOf(path));
        }
        catch (Exception e)
        {
            return Failed(host, e, "rmdir");
        }
    }

    [UnmanagedCallersOnly]
    private static int Symlink(byte* target, byte* linkPath)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return UnlinkedOpenFiles.IsHidden(PathOf(linkPath)) ? -Errno.EINVAL : host.FileSystem.CreateSymbolicLink(caller, PathOf(target), PathOf(linkPath));
        }
        catch (Exception e)
        {
            return Failed(host, e, "symlink");
        }
    }

    [UnmanagedCallersOnly]
    private static int Rename(byte* from, byte* to, uint flags)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            ReadOnlySpan<byte> target = PathOf(to);
            if (UnlinkedOpenFiles.IsHidden(target))
            {
                // libfuse hides an open file that is being unlinked (see UnlinkedOpenFiles);
                // a rename of the hidden name itself is not something a program can ask for.
                return flags == 0 && !UnlinkedOpenFiles.IsHidden(PathOf(from))
                    ? host.UnlinkedFiles.Hide(host.FileSystem, caller, PathOf(from), target)
                    : -Errno.EINVAL;
            }

            return UnlinkedOpenFiles.IsHidden(PathOf(from))
                ? -Errno.ENOENT
                : host.FileSystem.Rename(caller, PathOf(from), target, (RenameFlags)flags);
        }
        catch (Exception e)
        {
            return Failed(host, e, "rename");
        }
    }

    [UnmanagedCallersOnly]
    private static int Link(byte* existingPath, byte* newPath)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return UnlinkedOpenFiles.IsHidden(PathOf(newPath)) ? -Errno.EINVAL : host.FileSystem.CreateHardLink(caller, PathOf(existingPath), PathOf(newPath));
        }
        catch (Exception e)
        {
            return Failed(host, e, "link");
        }
    }

    [UnmanagedCallersOnly]
    private static int ChangeMode(byte* path, uint mode, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.ChangeMode(caller, PathOf(path), mode, HandleOf(file));
        }
        catch (Exception e)
        {
            return Failed(host, e, "chmod");
        }
    }

    [UnmanagedCallersOnly]
    private static int ChangeOwner(byte* path, uint uid, uint gid, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.ChangeOwner(caller, PathOf(path), uid, gid, HandleOf(file));
        }
        catch (Exception e)
        {
            return Failed(host, e, "chown");
        }
    }

    [UnmanagedCallersOnly]
    private static int Truncate(byte* path, long size, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.Truncate(caller, PathOf(path), size, HandleOf(file));
        }
        catch (Exception e)
        {
            return Failed(host, e, "truncate");
        }
    }

    [UnmanagedCallersOnly]
    private static int Open(byte* path, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            int result = host.FileSystem.Open(caller, PathOf(path), ref *file);
            if (result == 0)
            {
                host.UnlinkedFiles.Opened(file->Handle);
            }

            return result;
        }
        catch (Exception e)
        {
            return Failed(host, e, "open");
        }
    }

    [UnmanagedCallersOnly]
    private static int Read(byte* path, byte* buffer, nuint size, long offset, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.Read(caller, new Span<byte>(buffer, checked((int)size)), offset, ref *file);
        }
        catch (Exception e)
        {
            return Failed(host, e, "read");
        }
    }

    [UnmanagedCallersOnly]
    private static int Write(byte* path, byte* data, nuint size, long offset, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            if (host.KillsPrivilegesInFileSystem)
                caller = caller with { KillSetIdBits = KillPrivNegotiation.WriteKillsSetIdBits(data, size, offset, file->Handle) };
            return host.FileSystem.Write(caller, new ReadOnlySpan<byte>(data, checked((int)size)), offset, ref *file);
        }
        catch (Exception e)
        {
            return Failed(host, e, "write");
        }
    }

    [UnmanagedCallersOnly]
    private static int StatFs(byte* path, FileSystemStatistics* statistics)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.GetFileSystemStatistics(caller, PathOf(path), ref *statistics);
        }
        catch (Exception e)
        {
            return Failed(host, e, "statfs");
        }
    }

    [UnmanagedCallersOnly]
    private static int Flush(byte* path, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.Flush(caller, ref *file);
        }
        catch (Exception e)
        {
            return Failed(host, e, "flush");
        }
    }

    [UnmanagedCallersOnly]
    private static int Release(byte* path, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            host.UnlinkedFiles.Released(file->Handle);
            return host.FileSystem.Release(caller, ref *file);
        }
        catch (Exception e)
        {
            return Failed(host, e, "release");
        }
    }

    [UnmanagedCallersOnly]
    private static int FSync(byte* path, int dataOnly, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.Synchronize(caller, dataOnly != 0, ref *file);
        }
        catch (Exception e)
        {
            return Failed(host, e, "fsync");
        }
    }

    [UnmanagedCallersOnly]
    private static int SetXattr(byte* path, byte* name, byte* value, nuint size, int flags)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.SetExtendedAttribute(caller, PathOf(path), PathOf(name),
                new ReadOnlySpan<byte>(value, checked((int)size)), (XattrFlags)flags);
        }
        catch (Exception e)
        {
            return Failed(host, e, "setxattr");
        }
    }

    [UnmanagedCallersOnly]
    private static int GetXattr(byte* path, byte* name, byte* value, nuint size)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.GetExtendedAttribute(caller, PathOf(path), PathOf(name),
                new Span<byte>(value, checked((int)size)));
        }
        catch (Exception e)
        {
            return Failed(host, e, "getxattr");
        }
    }

    [UnmanagedCallersOnly]
    private static int ListXattr(byte* path, byte* list, nuint size)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.ListExtendedAttributes(caller, PathOf(path), new Span<byte>(list, checked((int)size)));
        }
        catch (Exception e)
        {
            return Failed(host, e, "listxattr");
        }
    }

    [UnmanagedCallersOnly]
    private static int RemoveXattr(byte* path, byte* name)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.RemoveExtendedAttribute(caller, PathOf(path), PathOf(name));
        }
        catch (Exception e)
        {
            return Failed(host, e, "removexattr");
        }
    }

    [UnmanagedCallersOnly]
    private static int OpenDir(byte* path, FuseFileInfo* directory)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.OpenDirectory(caller, PathOf(path), ref *directory);
        }
        catch (Exception e)
        {
            return Failed(host, e, "opendir");
        }
    }

    private const int ReaddirPlus = 1; // FUSE_READDIR_PLUS

    [UnmanagedCallersOnly]
    private static int ReadDir(byte* path, nint buffer, delegate* unmanaged<nint, byte*, void*, long, int, int> fill,
        long offset, FuseFileInfo* directory, int flags)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            var filler = new DirectoryFiller(fill, buffer, (flags & ReaddirPlus) != 0);
            return host.FileSystem.ReadDirectory(caller, filler, offset, ref *directory);
        }
        catch (Exception e)
        {
            return Failed(host, e, "readdir");
        }
    }

    [UnmanagedCallersOnly]
    private static int ReleaseDir(byte* path, FuseFileInfo* directory)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.ReleaseDirectory(caller, ref *directory);
        }
        catch (Exception e)
        {
            return Failed(host, e, "releasedir");
        }
    }

    [UnmanagedCallersOnly]
    private static int FSyncDir(byte* path, int dataOnly, FuseFileInfo* directory)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.SynchronizeDirectory(caller, dataOnly != 0, ref *directory);
        }
        catch (Exception e)
        {
            return Failed(host, e, "fsyncdir");
        }
    }

    [UnmanagedCallersOnly]
    private static nint Init(FuseConnectionInfo* connection, FuseConfig* config)
    {
        // private_data is still the user_data given to fuse_new (our GCHandle); init's return value
        // replaces it, so it must be returned unchanged even on failure.
        nint privateData = LibFuse.GetContext()->private_data;
        FuseHost? host = null;
        try
        {
            host = Unsafe.As<FuseHost>(GCHandle.FromIntPtr(privateData).Target!);
            host.OnInit(connection, config);
        }
        catch (Exception e)
        {
            host?.OnInitFailed(e);
        }

        return privateData;
    }

    [UnmanagedCallersOnly]
    private static void Destroy(nint privateData)
    {
        FuseHost? host = null;
        try
        {
            host = Unsafe.As<FuseHost>(GCHandle.FromIntPtr(privateData).Target!);
            host.FileSystem.Destroy();
        }
        catch (Exception e)
        {
            host?.ReportCallbackFailure(e, "destroy");
        }
    }

    [UnmanagedCallersOnly]
    private static int Access(byte* path, int mask)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.Access(caller, PathOf(path), mask);
        }
        catch (Exception e)
        {
            return Failed(host, e, "access");
        }
    }

    [UnmanagedCallersOnly]
    private static int Create(byte* path, uint mode, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            if (UnlinkedOpenFiles.IsHidden(PathOf(path)))
            {
                return -Errno.EINVAL; // the name is reserved for libfuse's hidden files
            }

            int result = host.FileSystem.Create(caller, PathOf(path), mode, ref *file);
            if (result == 0)
            {
                host.UnlinkedFiles.Opened(file->Handle);
            }

            return result;
        }
        catch (Exception e)
        {
            return Failed(host, e, "create");
        }
    }

    [UnmanagedCallersOnly]
    private static int UpdateTimes(byte* path, PosixTime* times, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            // A null array means "both now", as for utimensat(2).
            PosixTime access = times == null ? new PosixTime(0, PosixTime.UtimeNow) : times[0];
            PosixTime modification = times == null ? new PosixTime(0, PosixTime.UtimeNow) : times[1];
            return host.FileSystem.SetTimes(caller, PathOf(path), access, modification, HandleOf(file));
        }
        catch (Exception e)
        {
            return Failed(host, e, "utimens");
        }
    }

    [UnmanagedCallersOnly]
    private static int Allocate(byte* path, int mode, long offset, long length, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.Allocate(caller, mode, offset, length, ref *file);
        }
        catch (Exception e)
        {
            return Failed(host, e, "fallocate");
        }
    }

    [UnmanagedCallersOnly]
    private static nint CopyFileRange(byte* sourcePath, FuseFileInfo* source, long sourceOffset,
        byte* destinationPath, FuseFileInfo* destination, long destinationOffset, nuint length, int flags)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return (nint)host.FileSystem.CopyFileRange(caller, ref *source, sourceOffset, ref *destination,
                destinationOffset, length > long.MaxValue ? long.MaxValue : (long)length, flags);
        }
        catch (Exception e)
        {
            return Failed(host, e, "copy_file_range");
        }
    }

    [UnmanagedCallersOnly]
    private static long Seek(byte* path, long offset, int whence, FuseFileInfo* file)
    {
        FuseHost? host = null;
        try
        {
            host = Enter(out FuseRequestContext caller);
            return host.FileSystem.Seek(caller, offset, whence, ref *file);
        }
        catch (Exception e)
        {
            return Failed(host, e, "lseek");
        }
    }
}
