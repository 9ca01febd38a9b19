namespace Layered.Fuse;

/// <summary>
/// A POSIX-shaped file system the FUSE host serves. Every operation returns 0 (or a byte count
/// where noted) on success and a negated errno (<see cref="Errno"/>) on failure, exactly what the
/// kernel hands back to the caller. Paths are UTF-8 bytes without the terminating NUL, absolute
/// within the mount ("/" is the root); they are views of native memory valid only during the call.
/// The host mounts with libfuse's nullpath_ok, so calls on an open file (read, write, flush,
/// release, fsync, readdir, ...) get the file system's own 64-bit handle and no path, and
/// attribute calls made through a handle (fstat, ftruncate, fchmod, futimens) pass the handle and
/// an empty path. Unlink of an open file arrives as a plain <see cref="Unlink"/> (the host hides
/// libfuse's .fuse_hidden protocol): the file system must keep the open file readable, writable and
/// fstat-able through its handles until release. Names starting with ".fuse_hidden" are reserved.
/// Calls arrive on several threads at once; the implementation must be thread-safe.
/// An exception thrown by an operation is logged and turned into -EIO.
/// </summary>
public interface IFuseFileSystem
{
    /// <summary>Mount negotiation: inspect <see cref="FuseConnectionInfo.Capable"/>, adjust Want.</summary>
    void Init(ref FuseConnectionInfo connection);

    /// <summary>
    /// Called once, before mounting, with the options the host mounts with; in particular whether the kernel checks
    /// permissions (<see cref="FuseMountOptions.KernelChecksPermissions"/>). Optional.
    /// </summary>
    void Configure(FuseMountOptions options)
    {
    }

    /// <summary>
    /// Called once, before mounting, with the host's way of telling the kernel that what it cached of a path is stale
    /// (the attributes and pages of the file at that path, dropped asynchronously: safe to ask from inside a request,
    /// which may hold the very pages the kernel would wait for). Optional.
    /// </summary>
    void AttachKernelCache(Action<string> invalidateLater)
    {
    }

    /// <summary>The file system is being torn down (after the last request).</summary>
    void Destroy();

    /// <summary>stat/lstat/fstat. <paramref name="stat"/> arrives zeroed. <paramref name="handle"/> is set for fstat.</summary>
    int GetAttributes(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FileStat stat, ulong? handle);

    /// <summary>Writes the link target into <paramref name="target"/> (truncating if longer) and returns the byte count written.</summary>
    int ReadLink(in FuseRequestContext caller, ReadOnlySpan<byte> path, Span<byte> target);

    /// <summary>mknod for non-regular, non-directory nodes (fifos, sockets, devices). Optional.</summary>
    int MakeNode(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode, ulong device) => -Errno.ENOSYS;

    /// <summary>mkdir; <paramref name="mode"/> already has the caller's umask applied by the kernel.</summary>
    int MakeDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode);

    int Unlink(in FuseRequestContext caller, ReadOnlySpan<byte> path);

    int RemoveDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path);

    /// <summary>Creates <paramref name="linkPath"/> as a symbolic link holding <paramref name="target"/>.</summary>
    int CreateSymbolicLink(in FuseRequestContext caller, ReadOnlySpan<byte> target, ReadOnlySpan<byte> linkPath);

    /// <summary>rename/renameat2. Unsupported flags must return -EINVAL.</summary>
    int Rename(in FuseRequestContext caller, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, RenameFlags flags);

    /// <summary>Creates the hard link <paramref name="newPath"/> to <paramref name="existingPath"/>.</summary>
    int CreateHardLink(in FuseRequestContext caller, ReadOnlySpan<byte> existingPath, ReadOnlySpan<byte> newPath);

    int ChangeMode(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode, ulong? handle);

    /// <summary>chown; uint.MaxValue in <paramref name="uid"/> or <paramref name="gid"/> means "leave unchanged".</summary>
    int ChangeOwner(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint uid, uint gid, ulong? handle);

    int Truncate(in FuseRequestContext caller, ReadOnlySpan<byte> path, long size, ulong? handle);

    /// <summary>open: check <see cref="FuseFileInfo.Flags"/>, set <see cref="FuseFileInfo.Handle"/> (and cache flags).</summary>
    int Open(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FuseFileInfo file);

    /// <summary>create (O_CREAT): creates and opens; sets <see cref="FuseFileInfo.Handle"/>.</summary>
    int Create(in FuseRequestContext caller, ReadOnlySpan<byte> path, uint mode, ref FuseFileInfo file);

    /// <summary>Reads up to buffer.Length bytes at <paramref name="offset"/>; returns the count (short only at end of file).</summary>
    int Read(in FuseRequestContext caller, Span<byte> buffer, long offset, ref FuseFileInfo file);

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>; returns the count written (all of it on success).
    /// For an O_APPEND handle (<see cref="FuseFileInfo.IsAppend"/>) the kernel passes its idea of end of file.
    /// </summary>
    int Write(in FuseRequestContext caller, ReadOnlySpan<byte> data, long offset, ref FuseFileInfo file);

    /// <summary>statfs/statvfs of the volume.</summary>
    int GetFileSystemStatistics(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FileSystemStatistics statistics);

    /// <summary>
    /// Called on each close(2) of a file descriptor (possibly several per open). Optional: the default answers
    /// -ENOSYS, after which the kernel sends no more FLUSH requests for the mount (one request fewer per close).
    /// The kernel still writes back a file's dirty pages at close and reports their errors to close(2) itself;
    /// only a file system with work of its own to do at each close needs this.
    /// </summary>
    int Flush(in FuseRequestContext caller, ref FuseFileInfo file) => -Errno.ENOSYS;

    /// <summary>Last close of an open file; the handle is dead afterwards. The result is ignored by the kernel.</summary>
    int Release(in FuseRequestContext caller, ref FuseFileInfo file);

    /// <summary>fsync/fdatasync; after success the file's data (and with !dataOnly its metadata) is durable.</summary>
    int Synchronize(in FuseRequestContext caller, bool dataOnly, ref FuseFileInfo file);

    int SetExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, XattrFlags flags);

    /// <summary>
    /// Copies the value into <paramref name="value"/> and returns its length; an empty
    /// <paramref name="value"/> asks for the length only; too small a buffer is -ERANGE; missing is -ENODATA.
    /// </summary>
    int GetExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name, Span<byte> value);

    /// <summary>Writes the NUL-separated names into <paramref name="names"/>; same size rules as <see cref="GetExtendedAttribute"/>.</summary>
    int ListExtendedAttributes(in FuseRequestContext caller, ReadOnlySpan<byte> path, Span<byte> names);

    int RemoveExtendedAttribute(in FuseRequestContext caller, ReadOnlySpan<byte> path, ReadOnlySpan<byte> name);

    /// <summary>opendir: sets <see cref="FuseFileInfo.Handle"/> for the directory stream.</summary>
    int OpenDirectory(in FuseRequestContext caller, ReadOnlySpan<byte> path, ref FuseFileInfo directory);

    /// <summary>
    /// Lists entries (including "." and "..") starting after <paramref name="offset"/> into
    /// <paramref name="filler"/>: either every entry with next-offset 0 in one call, or entries with
    /// their own non-zero offsets, stopping when <see cref="DirectoryFiller.TryAdd"/> returns false.
    /// </summary>
    int ReadDirectory(in FuseRequestContext caller, DirectoryFiller filler, long offset, ref FuseFileInfo directory);

    int ReleaseDirectory(in FuseRequestContext caller, ref FuseFileInfo directory);

    int SynchronizeDirectory(in FuseRequestContext caller, bool dataOnly, ref FuseFileInfo directory);

    /// <summary>access(2) when the kernel does not check permissions itself. Optional.</summary>
    int Access(in FuseRequestContext caller, ReadOnlySpan<byte> path, int mask) => 0;

    /// <summary>
    /// utimensat/futimens. Either time may be <see cref="PosixTime.IsNow"/> or <see cref="PosixTime.IsOmit"/>.
    /// </summary>
    int SetTimes(in FuseRequestContext caller, ReadOnlySpan<byte> path, PosixTime accessTime, PosixTime modificationTime, ulong? handle);

    /// <summary>fallocate(2); an unsupported mode returns -EOPNOTSUPP.</summary>
    int Allocate(in FuseRequestContext caller, int mode, long offset, long length, ref FuseFileInfo file) => -Errno.EOPNOTSUPP;

    /// <summary>lseek with SEEK_DATA/SEEK_HOLE; -ENOSYS lets the kernel use its generic lseek. Optional.</summary>
    long Seek(in FuseRequestContext caller, long offset, int whence, ref FuseFileInfo file) => -Errno.ENOSYS;

    /// <summary>copy_file_range(2); returns bytes copied. -ENOSYS makes the kernel fall back to read+write. Optional.</summary>
    long CopyFileRange(in FuseRequestContext caller, ref FuseFileInfo source, long sourceOffset, ref FuseFileInfo destination, long destinationOffset, long length, int flags) => -Errno.ENOSYS;
}
