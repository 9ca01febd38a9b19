namespace Layered.Fuse;

/// <summary>How <see cref="FuseHost"/> mounts and serves a file system.</summary>
public sealed class FuseMountOptions
{
    /// <summary>An existing, empty directory that is not already a mount point.</summary>
    public required string MountPoint { get; init; }

    /// <summary>Mount read-only (-o ro): the kernel refuses every write with EROFS.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Let users other than the mounting one in (-o allow_other; needs user_allow_other in /etc/fuse.conf for non-root).</summary>
    public bool AllowOther { get; init; }

    /// <summary>
    /// Let the kernel check permissions from mode/uid/gid as ext4 would (-o default_permissions). Null (the default)
    /// means: only when users other than the mounting one can come in (<see cref="AllowOther"/>, or allow_other /
    /// allow_root among <see cref="ExtraOptions"/>). Without them the kernel lets only the mounting user's processes
    /// in, the same user the file system runs as, so the backing folder's own checks apply to what the file system
    /// does for them, and the kernel's check would cost a GETATTR of the parent directory before most creates,
    /// unlinks and opens. The file system is then told (<see cref="IFuseFileSystem.Configure"/>) to check what the
    /// backing folder cannot: access(2) and opens of files it already holds open. False together with allow_other
    /// leaves directory checks (write, search, sticky bit) to the backing folder as the file system's own user:
    /// for tests, not for shared mounts.
    /// </summary>
    public bool? DefaultPermissions { get; init; }

    /// <summary>Whether the kernel checks permissions on this mount (see <see cref="DefaultPermissions"/>).</summary>
    public bool KernelChecksPermissions => DefaultPermissions ?? (AllowOther || HasExtraOption("allow_other") ||
                                                                  HasExtraOption("allow_root") || HasExtraOption("default_permissions"));

    private bool HasExtraOption(string name) =>
        ExtraOptions.SelectMany(o => o.Split(',')).Any(o => string.Equals(o.Trim(), name, StringComparison.Ordinal));

    /// <summary>Further -o options passed through to libfuse and the kernel (e.g. "max_read=131072").</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];

    /// <summary>The source column of the mount table (-o fsname).</summary>
    public string FileSystemName { get; init; } = "layered";

    /// <summary>The mount type becomes fuse.&lt;subtype&gt; (-o subtype).</summary>
    public string Subtype { get; init; } = DefaultSubtype;

    public const string DefaultSubtype = "layered";

    /// <summary>The mount table's type of a mount with the default subtype.</summary>
    public const string DefaultFileSystemType = "fuse." + DefaultSubtype;

    /// <summary>libfuse debug mode (-d): every request is logged through the host's logger.</summary>
    public bool Debug { get; init; }

    /// <summary>
    /// How long the kernel trusts a name lookup (positive and negative). Names change only through
    /// this mount (the backing folder is locked exclusively), and the kernel updates its dentry
    /// cache itself on every create, unlink, rmdir, rename and link it performs, so a long timeout
    /// is correct and saves a LOOKUP per path component.
    /// </summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the kernel trusts a failed lookup; see <see cref="EntryTimeout"/>.</summary>
    public TimeSpan NegativeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long the kernel trusts cached attributes. Short on purpose: libfuse's path-based API
    /// gives each hard-link name its own kernel inode, so a write through one name cannot refresh
    /// the cached size/times of another; one second bounds that staleness (the adapter can make it
    /// exact with <see cref="FuseHost.InvalidatePath(string)"/>). getattr is an in-memory answer.
    /// </summary>
    public TimeSpan AttributeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Largest write request asked for. libfuse 3.14 caps it at its 1 MiB receive buffer and the
    /// kernel at max_pages (/proc/sys/fs/fuse/max_pages_limit, 256 pages = 1 MiB by default).
    /// </summary>
    public uint MaxWrite { get; init; } = 1024 * 1024;

    /// <summary>
    /// Readahead window of the mount's backing device info in KiB, set after mounting through
    /// /sys/class/bdi/&lt;dev&gt;/read_ahead_kb (root only; best effort). The kernel default of
    /// 128 KiB would chop streaming reads into 128 KiB requests. 0 leaves the kernel default.
    /// </summary>
    public uint ReadAheadKiB { get; init; } = 1024;

    /// <summary>
    /// Ask the kernel for writeback caching (FUSE_WRITEBACK_CACHE): write(2) lands in the page cache and the
    /// kernel sends the dirty pages in large WRITE requests at writeback, close and fsync, instead of one request
    /// per write(2). Safe because the vault's backing folder is locked to this mount, so the kernel's idea of
    /// each file's size and mtime is never contradicted by another writer. The kernel then owns O_APPEND and
    /// may read through write-only handles (the adapter opens those read-write). Hard-link names are separate
    /// kernel inodes in libfuse's path API; docs/architecture.md ("FUSE host") says what that means for them.
    /// </summary>
    public bool WritebackCache { get; init; } = true;

    /// <summary>
    /// Negotiate FUSE_HANDLE_KILLPRIV_V2 (Linux 5.11, protocol 7.33): the kernel leaves clearing set-user-ID and
    /// set-group-ID on write, truncate and chown to the file system, and in return marks the mount SB_NOSEC, so it
    /// stops asking for security.capability (a GETXATTR round trip) before every write(2) once a file is known to
    /// carry none. The file system must then kill those bits itself, which the engine adapter does.
    /// </summary>
    public bool KillPrivilegesInFileSystem { get; init; } = true;

    /// <summary>Each loop thread reads its own clone of the /dev/fuse descriptor (less contention).</summary>
    public bool CloneFd { get; init; } = true;

    /// <summary>Upper bound of request threads.</summary>
    public uint MaxThreads { get; init; } = 10;

    /// <summary>Idle request threads kept alive; more are ended when idle. Null (the default): as many as
    /// <see cref="MaxThreads"/>, so a request thread is never ended.</summary>
    /// <remarks>With fewer (the host kept 4), libfuse ended and started threads all the time under an ordinary load (a
    /// create is six requests, some overlapping): about 200 threads came and went in a loop of 10,000 file creates,
    /// each one attached to the .NET runtime on its first request and losing its per-thread caches when it ended;
    /// keeping them made the same loop 10-20 % faster (docs/benchmarks.md, item 21). libfuse's own advice is the
    /// same. An idle thread costs its stack's few touched pages.</remarks>
    public uint? MaxIdleThreads { get; init; }

    /// <summary>How long mounting may take until the kernel's INIT has been answered.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long Dispose waits for the loop to end and libfuse to be torn down.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Tests only: a pause between the mount becoming ready (the INIT callback) and libfuse sending the
    /// INIT answer, to reproduce a slow answer deterministically.</summary>
    internal TimeSpan InitAnswerDelayForTests { get; init; }

    /// <summary>Throws <see cref="FuseMountException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        Require(EntryTimeout >= TimeSpan.Zero, nameof(EntryTimeout), "must not be negative");
        Require(NegativeTimeout >= TimeSpan.Zero, nameof(NegativeTimeout), "must not be negative");
        Require(AttributeTimeout >= TimeSpan.Zero, nameof(AttributeTimeout), "must not be negative");
        Require(MaxWrite >= 4096, nameof(MaxWrite), "must be at least 4096 bytes");
        Require(MaxThreads >= 1, nameof(MaxThreads), "must be at least 1");
        Require(ReadyTimeout > TimeSpan.Zero, nameof(ReadyTimeout), "must be positive");
        Require(ShutdownTimeout > TimeSpan.Zero, nameof(ShutdownTimeout), "must be positive");
        Require(!string.IsNullOrWhiteSpace(FileSystemName), nameof(FileSystemName), "must not be empty");
        Require(!string.IsNullOrWhiteSpace(Subtype) && !Subtype.Contains(','), nameof(Subtype), "must be a non-empty word");
        foreach (string option in ExtraOptions)
        {
            Require(!string.IsNullOrWhiteSpace(option), nameof(ExtraOptions), "must not contain an empty -o option");
        }
    }

    private static void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new FuseMountException(FuseMountError.OptionsRejected, $"Mount option {option} {rule}.");
        }
    }
}
