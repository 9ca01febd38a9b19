using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

/// <summary>
/// `layered fsck` on a mounted volume (so recovery has already run): reads every file's header and every chunk
/// below its valid data length through the engine, one chunk at a time, so a failing chunk is named and the
/// readable ones are known. Repair never deletes anything: a damaged file is renamed into /lost+found (its stored
/// bytes untouched, for forensics), and next to it a new file "NAME.readable" gets every chunk that still reads,
/// unreadable chunks left as zeros. Both steps are ordinary engine operations, so they are journaled.
/// </summary>
public sealed class VaultChecker
{
    public const string LostAndFound = "lost+found";
    private readonly Volume _volume;
    private readonly ILogger _log;

    public VaultChecker(Volume volume, ILogger logger)
    {
        _volume = volume;
        _log = logger;
    }

    public VaultCheckReport Check(bool repair, IProgress<VaultCheckProgress>? progress = null)
    {
        var files = new List<string>();
        CollectFiles("", files);
        var damaged = new List<DamagedFile>();
        var quarantined = new List<DamagedFile>();
        long chunks = 0;
        for (int i = 0; i < files.Count; i++)
        {
            progress?.Report(new VaultCheckProgress(i, files.Count, files[i]));
            var result = CheckFile(files[i], out long checkedChunks);
            chunks += checkedChunks;
            if (result is not null)
                (files[i].StartsWith(LostAndFound + "/", StringComparison.Ordinal) ? quarantined : damaged).Add(result);
        }
        progress?.Report(new VaultCheckProgress(files.Count, files.Count, ""));
        var repairs = new List<string>();
        if (repair)
            foreach (var d in damaged)
                repairs.Add(Repair(d));
        return new VaultCheckReport(files.Count, chunks, damaged, repairs, quarantined);
    }

    private void CollectFiles(string dir, List<string> into)
    {
        var entries = new List<DirectoryEntry>();
        string? after = null;
        while (true)
        {
            entries.Clear();
            var st = _volume.ReadDirectory(dir, after, 1024, withSizes: false, entries);
            if (st != FsStatus.Success)
                throw new FsException(st, dir, $"Could not list '/{dir}'");
            if (entries.Count == 0)
                return;
            foreach (var e in entries)
            {
                var path = dir.Length == 0 ? e.Name : dir + "/" + e.Name;
                if (e.Info.Type == NodeType.Directory)
                    CollectFiles(path, into);
                else if (e.Info.Type == NodeType.File)
                    into.Add(path);
            }
            after = entries[^1].Name;
        }
    }

    private DamagedFile? CheckFile(string path, out long checkedChunks)
    {
        checkedChunks = 0;
        var st = _volume.Create(path, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Read },
            out var handle, out var info, out _);
        if (st != FsStatus.Success)
            return new DamagedFile(path, 0, [], $"cannot be opened ({st}: header missing or failing authentication)");
        try
        {
            int cs = _volume.Layout.ChunkSize;
            long vdl = Math.Min(info.ValidDataLength, info.EndOfFile);
            var bad = new List<long>();
            byte[] buffer = new byte[cs];
            for (long c = 0; c * cs < vdl; c++)
            {
                checkedChunks++;
                if (_volume.Read(handle!, c * cs, buffer, out _) != FsStatus.Success)
                    bad.Add(c);
            }
            return bad.Count == 0 ? null : new DamagedFile(path, info.EndOfFile, bad, null);
        }
        finally
        {
            _volume.Release(handle!);
        }
    }

    /// <summary>Moves the damaged file into /lost+found and writes its readable chunks next to it.</summary>
    private string Repair(DamagedFile file)
    {
        EnsureLostAndFound();
        string flat = file.Path.Replace('/', '_');
        string target = FreeName(LostAndFound + "/" + flat);
        var st = _volume.Rename(file.Path, target, RenameFlags.None);
        if (st != FsStatus.Success)
            throw new FsException(st, file.Path, $"Could not move '/{file.Path}' to '/{target}'");
        _log.LogWarning("fsck moved damaged '/{Path}' to '/{Target}'", file.Path, target);
        if (file.Problem is not null)
            return $"/{file.Path} -> /{target} (nothing readable: {file.Problem})";
        string copy = FreeName(target + ".readable");
        CopyReadableChunks(target, copy, file.Size);
        return $"/{file.Path} -> /{target}; its {file.BadChunks.Count} unreadable chunks as zeros in /{copy}";
    }

    private void CopyReadableChunks(string from, string to, long size)
    {
        Check(_volume.Create(from, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Read },
            out var source, out _, out _), from);
        Check(_volume.Create(to, new CreateRequest { Disposition = CreateDisposition.Create, Access = FileAccess2.All },
            out var copy, out _, out _), to);
        try
        {
            int cs = _volume.Layout.ChunkSize;
            byte[] buffer = new byte[cs];
            for (long offset = 0; offset < size; offset += cs)
            {
                if (_volume.Read(source!, offset, buffer, out int n) != FsStatus.Success)
                    continue; // unreadable: stays zeros (the copy's size is set below)
                Check(_volume.Write(copy!, offset, buffer.AsSpan(0, n), WriteMode.AtOffset, out _, out _), to);
            }
            Check(_volume.SetFileSize(copy!, size), to);
            Check(_volume.Flush(copy!), to);
        }
        finally
        {
            _volume.Release(source!);
            _volume.Release(copy!);
        }
    }

    private void EnsureLostAndFound()
    {
        if (_volume.GetInfo(LostAndFound, out var info) == FsStatus.Success && info.IsDirectory)
            return;
        Check(_volume.CreateDirectory(LostAndFound, Layered.Backing.UnixMode.DefaultDirectory, -1, -1, out _), LostAndFound);
    }

    private string FreeName(string path)
    {
        string candidate = path;
        for (int i = 1; _volume.GetInfo(candidate, out _) == FsStatus.Success; i++)
            candidate = $"{path}.{i}";
        return candidate;
    }

    private static void Check(FsStatus status, string path)
    {
        if (status != FsStatus.Success)
            throw new FsException(status, path, $"fsck repair failed on '/{path}': {status}");
    }
}
