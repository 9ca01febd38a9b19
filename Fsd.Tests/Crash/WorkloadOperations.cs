using Layered.Backing;
using Layered.Fsd;

namespace Layered.Crash.Tests;

/// <summary>What an operation runs against: the mounted engine, and handles the workload keeps open.</summary>
public sealed class WorkloadContext(Volume volume)
{
    public Volume Volume { get; set; } = volume;
    public Dictionary<string, FileHandle> HeldHandles { get; } = new(StringComparer.Ordinal);

    public static void Ok(FsStatus status, string what)
    {
        if (status != FsStatus.Success)
            throw new InvalidOperationException($"workload step failed: {what}: {status}");
    }

    public FileHandle Open(string path, CreateDisposition disposition = CreateDisposition.Open)
    {
        Ok(Volume.Create(path, new CreateRequest { Disposition = disposition, Access = FileAccess2.All }, out var h, out _, out _), $"open {path}");
        return h!;
    }

    public void WithFile(string path, Action<FileHandle> action)
    {
        var h = Open(path);
        try { action(h); } finally { Volume.Release(h); }
    }
}

/// <summary>
/// One step of a crash workload: applied to the engine and to the model. <see cref="DurableIds"/> says which
/// model objects the step made durable (fsync of a file; a volume sync makes all).
/// </summary>
public abstract record WorkloadOp
{
    public abstract void Run(WorkloadContext ctx);
    public abstract void Model(ModelFileSystem model);
    /// <summary>Ids made durable when this step returns; null means every object.</summary>
    public virtual IEnumerable<int>? DurableIds(ModelFileSystem modelAfter) => [];
}

public sealed record CreateOp(string Path) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => ctx.Volume.Release(ctx.Open(Path, CreateDisposition.Create));
    public override void Model(ModelFileSystem m) => m.Paths[Path] = m.NewNode(NodeType.File);
}

public sealed record WriteOp(string Path, long Offset, int Length, int Seed) : WorkloadOp
{
    public byte[] Bytes => Workloads.Pattern(Length, Seed);
    public override void Run(WorkloadContext ctx) => ctx.WithFile(Path, h =>
        WorkloadContext.Ok(ctx.Volume.Write(h, Offset, Bytes, WriteMode.AtOffset, out _, out _), $"write {Path}"));
    public override void Model(ModelFileSystem m) => ModelFileSystem.WriteAt(m.Get(Path), Offset, Bytes);
}

public sealed record AppendOp(string Path, int Length, int Seed) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => ctx.WithFile(Path, h =>
        WorkloadContext.Ok(ctx.Volume.Write(h, 0, Workloads.Pattern(Length, Seed), WriteMode.Append, out _, out _), $"append {Path}"));
    public override void Model(ModelFileSystem m)
    {
        var n = m.Get(Path);
        ModelFileSystem.WriteAt(n, n.Data.Length, Workloads.Pattern(Length, Seed));
    }
}

public sealed record TruncateOp(string Path, long Size) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => ctx.WithFile(Path, h =>
        WorkloadContext.Ok(ctx.Volume.SetFileSize(h, Size), $"truncate {Path}"));
    public override void Model(ModelFileSystem m) => ModelFileSystem.Truncate(m.Get(Path), Size);
}

public sealed record FsyncOp(string Path) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => ctx.WithFile(Path, h => WorkloadContext.Ok(ctx.Volume.Flush(h), $"fsync {Path}"));
    public override void Model(ModelFileSystem m) { }
    public override IEnumerable<int>? DurableIds(ModelFileSystem after) => [after.Get(Path).Id];
}

public sealed record SyncOp : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.FlushVolume(), "sync");
    public override void Model(ModelFileSystem m) { }
    public override IEnumerable<int>? DurableIds(ModelFileSystem after) => null;
}

public sealed record RenameOp(string From, string To) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.Rename(From, To, RenameFlags.Replace), $"rename {From} {To}");
    public override void Model(ModelFileSystem m) => m.Rename(From, To);
}

public sealed record UnlinkOp(string Path) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.Unlink(Path), $"unlink {Path}");
    public override void Model(ModelFileSystem m)
    {
        var n = m.Get(Path);
        m.Paths.Remove(Path);
        if (m.Held.ContainsKey(Path) && !m.Paths.Values.Contains(n))
            m.Held[Path] = n;
    }
}

public sealed record MkdirOp(string Path) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) =>
        WorkloadContext.Ok(ctx.Volume.CreateDirectory(Path, UnixMode.DefaultDirectory, -1, -1, out _), $"mkdir {Path}");
    public override void Model(ModelFileSystem m) => m.Paths[Path] = m.NewNode(NodeType.Directory);
}

public sealed record RmdirOp(string Path) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.RemoveDirectory(Path), $"rmdir {Path}");
    public override void Model(ModelFileSystem m) => m.Paths.Remove(Path);
}

public sealed record LinkOp(string Existing, string NewPath) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.Link(Existing, NewPath, out _), $"link {NewPath}");
    public override void Model(ModelFileSystem m) => m.Paths[NewPath] = m.Get(Existing);
}

public sealed record SymlinkOp(string Path, string Target) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.CreateSymlink(Path, Target, -1, -1, out _), $"symlink {Path}");
    public override void Model(ModelFileSystem m) => m.Paths[Path] = new ModelNode(-1, NodeType.Symlink) { Target = Target };
}

public sealed record SetModeOp(string Path, uint Mode) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.SetMode(Path, (UnixMode)Mode), $"chmod {Path}");
    public override void Model(ModelFileSystem m) => m.Get(Path).Mode = Mode;
}

public sealed record SetTimesOp(string Path, DateTime LastWriteUtc) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => WorkloadContext.Ok(ctx.Volume.SetTimes(Path, LastWriteUtc, LastWriteUtc), $"utimens {Path}");
    public override void Model(ModelFileSystem m) { } // times are not compared (the engine's own header writes move them)
}

/// <summary>Opens a handle and keeps it, so a later unlink finds the file open.</summary>
public sealed record HoldOp(string Path) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) => ctx.HeldHandles[Path] = ctx.Open(Path);
    public override void Model(ModelFileSystem m) => m.Held[Path] = m.Get(Path);
}

/// <summary>Writes through a held handle (the file may be unlinked by now).</summary>
public sealed record WriteHeldOp(string Path, long Offset, int Length, int Seed) : WorkloadOp
{
    public override void Run(WorkloadContext ctx) =>
        WorkloadContext.Ok(ctx.Volume.Write(ctx.HeldHandles[Path], Offset, Workloads.Pattern(Length, Seed), WriteMode.AtOffset, out _, out _), $"write held {Path}");
    public override void Model(ModelFileSystem m) => ModelFileSystem.WriteAt(m.Held[Path], Offset, Workloads.Pattern(Length, Seed));
}

public sealed record ReleaseHeldOp(string Path) : WorkloadOp
{
    public override void Run(WorkloadContext ctx)
    {
        ctx.Volume.Release(ctx.HeldHandles[Path]);
        ctx.HeldHandles.Remove(Path);
    }
    public override void Model(ModelFileSystem m) => m.Held.Remove(Path);
}
