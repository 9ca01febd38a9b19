namespace Layered.Fsd.Bench.Workloads;

/// <summary>
/// One file system in the comparison: how to create its backing folder and how to mount it over a mount point,
/// non-interactively, in the foreground (so the runner owns the process).
/// </summary>
internal abstract class Contender
{
    public const string Password = "layered-bench-password";

    public abstract string Name { get; }

    /// <summary>The Debian package that provides it (scripts/bench.sh installs these).</summary>
    public abstract string? Package { get; }

    /// <summary>Why it cannot run here (its program is missing), or null.</summary>
    public virtual string? Unavailable(BenchPaths paths) =>
        Package is { } package && ExternalCommand.Find(Program) is null ? $"{Program} not installed (Debian package {package})" : null;

    protected abstract string Program { get; }

    /// <summary>Creates the (empty) encrypted or plain backing folder.</summary>
    public virtual void Create(string backing, BenchPaths paths) { }

    /// <summary>Mounts the backing folder and returns once the mount point serves it.</summary>
    public abstract MountSession Mount(string backing, string mountPoint, BenchPaths paths);

    /// <summary>
    /// Its workloads leave the disk slower for whoever creates files next, for minutes: the runner runs it after
    /// every run of the others (<see cref="WorkloadRunner"/>), so only its own later runs pay for it.
    /// </summary>
    public virtual bool SlowsWhoeverFollows => false;

    public static IReadOnlyList<Contender> All { get; } =
        [new PlainFolder(), new Bindfs(), new Gocryptfs(), new Securefs(), new Cryfs(), new LayeredFs()];

    protected static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
}

/// <summary>The floor: the backing disk itself, no FUSE.</summary>
internal sealed class PlainFolder : Contender
{
    public override string Name => "plain";
    public override string? Package => null;
    protected override string Program => "";
    public override MountSession Mount(string backing, string mountPoint, BenchPaths paths) => MountSession.Plain(backing);
}

/// <summary>FUSE passthrough without encryption: the FUSE floor. Debian's bindfs is built on libfuse 2, whose default
/// is 4 KiB write requests; -o big_writes (128 KiB) and --multithreaded make it the fastest plain passthrough it can
/// be, so the floor is not an artefact of its defaults.</summary>
internal sealed class Bindfs : Contender
{
    public override string Name => "bindfs";
    public override string? Package => "bindfs";
    protected override string Program => "bindfs";
    public override MountSession Mount(string backing, string mountPoint, BenchPaths paths) =>
        MountSession.Start(ExternalCommand.Describe("bindfs", ["-f", "--multithreaded", "-o", "big_writes", backing, mountPoint]), mountPoint, null, ReadyTimeout);
}

/// <summary>gocryptfs with its defaults (AES-256-GCM, 4 KiB blocks); -scryptn 10 only makes init fast.</summary>
internal sealed class Gocryptfs : Contender
{
    public override string Name => "gocryptfs";
    public override string? Package => "gocryptfs";
    protected override string Program => "gocryptfs";
    public override void Create(string backing, BenchPaths paths) =>
        ExternalCommand.Run("gocryptfs", ["-init", "-q", "-scryptn", "10", "-passfile", paths.PasswordFile, backing]);
    public override MountSession Mount(string backing, string mountPoint, BenchPaths paths) =>
        MountSession.Start(ExternalCommand.Describe("gocryptfs", ["-fg", "-q", "-passfile", paths.PasswordFile, backing, mountPoint]),
            mountPoint, null, ReadyTimeout);
}

/// <summary>securefs with its default format (lite, format 4); the password on the command line (--pass).</summary>
internal sealed class Securefs : Contender
{
    public override string Name => "securefs";
    public override string? Package => "securefs";
    protected override string Program => "securefs";
    public override void Create(string backing, BenchPaths paths) =>
        ExternalCommand.Run("securefs", ["create", "--pass", Password, backing]);
    public override MountSession Mount(string backing, string mountPoint, BenchPaths paths) =>
        MountSession.Start(ExternalCommand.Describe("securefs", ["mount", "--pass", Password, backing, mountPoint]),
            mountPoint, null, ReadyTimeout);
}

/// <summary>CryFS with its defaults (xchacha20-poly1305, 16 KiB blocks); created by its first mount, the password
/// read from standard input in its non-interactive front end. --allow-replaced-filesystem because every run makes a
/// new file system in the same basedir, which CryFS would otherwise refuse as a possible attack.</summary>
internal sealed class Cryfs : Contender
{
    public override string Name => "cryfs";
    public override string? Package => "cryfs";
    protected override string Program => "cryfs";

    // One backing file per 16 KiB block: its streaming file, untar, rm -rf and small files create and free some
    // hundred thousand backing inodes, and ext4 without a journal (this disk) searches past recently freed inodes
    // when it allocates. Layered's small-file creates right after cryfs: 1,379-1,597 files/s, 2,260-2,390 without
    // cryfs in the run, and a 60 s pause between contenders did not undo it (docs/benchmarks.md).
    public override bool SlowsWhoeverFollows => true;

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["CRYFS_FRONTEND"] = "noninteractive",
        ["CRYFS_NO_UPDATE_CHECK"] = "true",
    };

    public override MountSession Mount(string backing, string mountPoint, BenchPaths paths) =>
        MountSession.Start(ExternalCommand.Describe("cryfs", ["-f", "--allow-replaced-filesystem", backing, mountPoint], Environment), mountPoint, Password + "\n", ReadyTimeout);
}

/// <summary>Layered from the built CLI: `layered init` (fast KDF through LAYERED_TEST_FAST_KDF=1) and
/// `layered mount --foreground` with its default mount options.</summary>
internal sealed class LayeredFs : Contender
{
    public override string Name => "layered";
    public override string? Package => null;
    protected override string Program => "layered";

    private static readonly Dictionary<string, string> FastKdf = new() { ["LAYERED_TEST_FAST_KDF"] = "1" };

    public override string? Unavailable(BenchPaths paths) =>
        paths.Layered is null || !File.Exists(paths.Layered) ? "the layered executable was not found (build cli/ or pass --layered PATH)" : null;

    public override void Create(string backing, BenchPaths paths) =>
        ExternalCommand.Run(paths.Layered!, ["init", backing, "--password-file", paths.PasswordFile], environment: FastKdf);

    public override MountSession Mount(string backing, string mountPoint, BenchPaths paths) =>
        MountSession.Start(ExternalCommand.Describe(paths.Layered!, ["mount", backing, mountPoint, "--password-file", paths.PasswordFile, "--foreground"]),
            mountPoint, null, ReadyTimeout);
}
