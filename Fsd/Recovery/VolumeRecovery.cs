using System.Security.Cryptography;
using Layered.Backing;
using Layered.Crypto;
using Layered.Journal;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

/// <summary>
/// Recovery, run before every mount and by `layered recover`. Namespace operations are single atomic steps on
/// the backing store and need no redo. What does: file sizes (kept in headers lazily, so the journal's size
/// records after the last checkpoint are newer) and the chunk images written before a multi-step data change.
/// For each file, the newest recorded state whose chunks are all stored and authentic is applied — so every
/// write is there wholly or not at all — then the orphans of files unlinked while open, and temporaries, are
/// freed, and a checkpoint ends the replay window.
/// </summary>
internal static class VolumeRecovery
{
    /// <summary>A recorded state of a file: its size after the record at <paramref name="Lsn"/>, and the chunk
    /// image that record carries, if any.</summary>
    private readonly record struct SizeState(long Lsn, long Eof, long Vdl, ChunkImageRecord? Image);

    private sealed class FileHistory(UInt128 id)
    {
        public readonly UInt128 Id = id;
        public readonly List<string> Paths = new();
        /// <summary>Every recorded size of the file in LSN order; a chunk image record is one too.</summary>
        public readonly List<SizeState> Sizes = new();
        public bool Removed;
        /// <summary>The sealed header the file was created with (from its create record), if seen.</summary>
        public byte[]? CreatedHeader;
        public string CurrentPath => Paths[^1];

        public void MoveTo(string path)
        {
            if (Paths.Count == 0 || Paths[^1] != path)
                Paths.Add(path);
        }
    }

    public static RecoveryReport Run(Volume volume)
    {
        var log = volume.Log;
        var replay = volume.Journal.ReadForReplay();
        var files = new Dictionary<UInt128, FileHistory>();
        FileHistory Track(UInt128 id, string path)
        {
            if (!files.TryGetValue(id, out var h))
                files[id] = h = new FileHistory(id);
            h.MoveTo(path);
            return h;
        }

        foreach (var entry in replay)
        {
            switch (entry.Record)
            {
                case CreateRecord c when c.Kind == NodeKind.File && c.FileId != 0 && c.Payload.Length == FileHeader.Size:
                    Track(c.FileId, c.Path).CreatedHeader = c.Payload;
                    break;
                case SetSizeRecord s when s.FileId != 0:
                    Track(s.FileId, s.Path).Sizes.Add(new SizeState(entry.Lsn, s.Eof, s.Vdl, null));
                    break;
                case ChunkImageRecord c when c.FileId != 0:
                    Track(c.FileId, c.Path).Sizes.Add(new SizeState(entry.Lsn, c.Eof, c.Vdl, c));
                    break;
                case RenameRecord r:
                    foreach (var f in files.Values)
                        if (!f.Removed && FsPath.IsSelfOrDescendant(f.CurrentPath, r.FromPath))
                            f.MoveTo(FsPath.Rebase(f.CurrentPath, r.FromPath, r.ToPath));
                        else if (!f.Removed && f.CurrentPath == r.ToPath && f.Id != r.FileId)
                            f.Removed = true; // replaced
                    break;
                case RemoveRecord rm:
                    foreach (var f in files.Values)
                        if (f.CurrentPath == rm.Path) f.Removed = true;
                    break;
                case OrphanRecord o:
                    foreach (var f in files.Values)
                        if (f.CurrentPath == o.Path) f.Removed = true;
                    break;
            }
        }

        int repaired = 0;
        var damaged = new List<string>();
        if (!volume.ReadOnly)
        {
            var missing = new List<FileHistory>();
            foreach (var f in files.Values)
            {
                if (f.Sizes.Count == 0)
                    continue;
                Redo(f, null);
            }
            // A namespace change persists as soon as it is applied, its journal record only at the next commit, and
            // a removed name may have been one of several hard links: a file not at any path the journal gave it is
            // looked for by id, in one walk of the store.
            if (missing.Count > 0)
            {
                var found = FindFilesById(volume, missing.Select(f => f.Id).ToHashSet());
                foreach (var f in missing)
                    if (found.TryGetValue(f.Id, out var path))
                        Redo(f, path);
            }

            void Redo(FileHistory f, string? knownPath)
            {
                try
                {
                    switch (RedoFile(volume, f, knownPath, damaged))
                    {
                        case true: repaired++; break;
                        case null when knownPath is null: missing.Add(f); break;
                    }
                }
                catch (Exception e) when (e is IOException or BackingStoreException)
                {
                    log.LogError(e, "Recovery could not bring '/{Path}' up to date", f.CurrentPath);
                    damaged.Add($"/{f.CurrentPath}: {e.Message}");
                }
            }
        }
        int orphans = volume.ReadOnly ? 0 : EmptyFolder(volume.Store, Volume.OrphanDirectory);
        int temps = volume.ReadOnly ? 0 : EmptyFolder(volume.Store, Volume.TempDirectory);
        if (replay.TornTail is { } torn)
            log.LogWarning("The journal's tail was torn at LSN {Lsn} ({Reason}); it was not replayed", torn.FromLsn, torn.Reason);
        if (!volume.ReadOnly)
            volume.Checkpoint();
        return new RecoveryReport(replay.RecordCount, repaired, orphans, temps, replay.TornTail, damaged);
    }

    /// <summary>Finds the file (by id, at the newest of the paths it had) and applies its newest consistent state.</summary>
    /// <returns>Whether the file changed; null when it is at none of the paths tried.</returns>
    private static bool? RedoFile(Volume volume, FileHistory f, string? knownPath, List<string> damaged)
    {
        var paths = knownPath is null ? f.Paths : [knownPath];
        for (int i = paths.Count - 1; i >= 0; i--)
        {
            var path = paths[i];
            var entry = volume.Store.TryGetEntry(path);
            if (entry is null || entry.Kind != BackingEntryKind.File)
                continue;
            using var file = volume.Store.OpenFile(path, BackingOpenMode.OpenReadWrite);
            var header = volume.ReadHeader(file, path, out bool missing);
            if (missing && f.CreatedHeader is not null && HeaderNeverStored(file))
            {
                // The file's own header never reached the disk: put back the one its create record carries.
                file.Write(0, f.CreatedHeader);
                header = volume.ReadHeader(file, path, out missing);
            }
            if (missing || header.FileId.ToUInt128() != f.Id)
                continue;
            return Apply(volume, file, path, header, f, damaged);
        }
        return null;
    }

    /// <summary>True when the header region is short or all zeros (never written), never for plaintext content.</summary>
    private static bool HeaderNeverStored(IBackingFile file)
    {
        Span<byte> region = stackalloc byte[FileHeader.Size];
        int n = Volume.ReadFully(file, 0, region);
        return !region[..n].ContainsAnyExcept((byte)0);
    }

    /// <summary>Walks the store (outside the vault's own folder) reading headers; returns where each wanted id is.</summary>
    private static Dictionary<UInt128, string> FindFilesById(Volume volume, HashSet<UInt128> wanted)
    {
        var found = new Dictionary<UInt128, string>();
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0 && found.Count < wanted.Count)
        {
            var dir = pending.Pop();
            foreach (var e in volume.Store.ListDirectory(dir))
            {
                var path = dir.Length == 0 ? e.Name : dir + "/" + e.Name;
                if (e.Kind == BackingEntryKind.Directory)
                {
                    if (path != Volume.MetaDirectory)
                        pending.Push(path);
                    continue;
                }
                if (e.Kind != BackingEntryKind.File)
                    continue;
                try
                {
                    using var file = volume.Store.OpenFile(path, BackingOpenMode.OpenRead);
                    var header = volume.ReadHeader(file, path, out bool headerMissing);
                    if (!headerMissing && wanted.Contains(header.FileId.ToUInt128()))
                        found.TryAdd(header.FileId.ToUInt128(), path);
                }
                catch (Exception ex) when (ex is IOException or BackingStoreException or IntegrityException or CryptographicException)
                {
                    volume.Log.LogDebug(ex, "Recovery skipped '/{Path}' while looking for files by id", path);
                }
            }
        }
        return found;
    }

    private static bool Apply(Volume volume, IBackingFile file, string path, FileHeader header, FileHistory f, List<string> damaged)
    {
        var layout = volume.Layout;
        var switches = volume.RecoverySwitches;
        var newer = f.Sizes.Where(s => s.Lsn > header.AppliedLsn).ToList();
        if (newer.Count == 0 || switches.SkipSizeRedo)
            return false;
        using var cipher = volume.Vault.OpenFileCipher(header.FileId);
        // The lowest valid length the file went through: chunks from there on may have been rewritten.
        long low = Math.Min(header.Vdl, newer.Min(s => s.Vdl));
        var images = new Dictionary<long, ChunkImageRecord>();
        for (int i = newer.Count - 1; i >= 0; i--)
        {
            var (lsn, eof, vdl, _) = newer[i];
            ImagesUpTo(newer, i, layout, switches.SkipChunkImageRedo, images);
            if (ChunksAuthentic(file, cipher, layout, low, vdl, images))
            {
                foreach (var image in images.Values)
                    file.Write(layout.StoredOffsetOf(image.ChunkIndex), image.StoredChunk);
                Commit(volume, file, header, eof, vdl, newer[^1].Lsn);
                return true;
            }
        }
        // None of the journaled states is wholly stored (their writes were not fsynced and were lost): the state the
        // header records is the one before them all.
        images.Clear();
        if (ChunksAuthentic(file, cipher, layout, low, header.Vdl, images))
        {
            Commit(volume, file, header, header.Eof, header.Vdl, newer[^1].Lsn);
            return true;
        }
        // Not even that is stored whole: keep the longest authentic prefix and report the file.
        long keep = LongestAuthenticPrefix(file, cipher, layout, low, header.Vdl);
        Commit(volume, file, header, keep, keep, newer[^1].Lsn);
        damaged.Add($"/{path}: recovered to {keep} bytes (later writes were not stored whole)");
        return true;
    }

    /// <summary>
    /// The chunk images that state <paramref name="upTo"/> of <paramref name="states"/> consists of: for each chunk
    /// the newest image at or before it, minus those a later size record cut away (that cut discarded the chunk,
    /// and whatever was written there afterwards is newer than the image). Redoing them completes every overwrite
    /// whose in-place write was torn or never happened; images after the state are not its content.
    /// </summary>
    private static void ImagesUpTo(List<SizeState> states, int upTo, ChunkLayout layout, bool skip, Dictionary<long, ChunkImageRecord> images)
    {
        images.Clear();
        if (skip)
            return;
        long highest = -1;
        for (int i = 0; i <= upTo; i++)
        {
            var state = states[i];
            long cutChunk = layout.ChunkCount(state.Vdl);
            if (highest >= cutChunk)
            {
                foreach (var chunk in images.Keys)
                    if (chunk >= cutChunk && layout.PlainOffsetOf(chunk) >= state.Vdl)
                        images.Remove(chunk);
                highest = images.Count == 0 ? -1 : images.Keys.Max();
            }
            if (state.Image is { } image)
            {
                images[image.ChunkIndex] = image;
                highest = Math.Max(highest, image.ChunkIndex);
            }
        }
    }

    private static void Commit(Volume volume, IBackingFile file, FileHeader header, long eof, long vdl, long lsn)
    {
        file.SetLength(volume.Layout.StoredLengthFor(vdl));
        Span<byte> buffer = stackalloc byte[FileHeader.Size];
        volume.Vault.Headers.Encode(header with { Eof = eof, Vdl = vdl, AppliedLsn = lsn }, buffer);
        file.Flush();
        file.Write(0, buffer);
        file.Flush();
    }

    /// <summary>Whether every chunk of [fromValid, vdl) authenticates, reading a chunk from
    /// <paramref name="images"/> when it has one (its redo image) and from the file otherwise.</summary>
    private static bool ChunksAuthentic(IBackingFile file, FileCipher cipher, ChunkLayout layout, long fromValid, long vdl,
        Dictionary<long, ChunkImageRecord> images)
    {
        byte[] stored = new byte[layout.StoredChunkSize];
        byte[] plain = new byte[layout.ChunkSize];
        for (long c = layout.ChunkIndexOf(Math.Min(fromValid, vdl)); c < layout.ChunkCount(vdl); c++)
        {
            int len = layout.PlainLengthOfChunk(c, vdl);
            int storedLen = layout.StoredLengthOfChunk(len);
            ReadOnlySpan<byte> chunk;
            if (images.TryGetValue(c, out var image))
                chunk = image.StoredChunk;
            else if (Volume.ReadFully(file, layout.StoredOffsetOf(c), stored.AsSpan(0, storedLen)) == storedLen)
                chunk = stored.AsSpan(0, storedLen);
            else
                return false;
            if (chunk.Length != storedLen || !cipher.TryDecryptChunk(c, chunk, plain.AsSpan(0, len)))
                return false;
        }
        return true;
    }

    private static long LongestAuthenticPrefix(IBackingFile file, FileCipher cipher, ChunkLayout layout, long low, long headerVdl)
    {
        long valid = Math.Min(low, headerVdl);
        // Chunks below 'low' were not rewritten since the header was durable; extend while full chunks authenticate.
        long c = layout.ChunkIndexOf(valid);
        valid = layout.PlainOffsetOf(c);
        byte[] stored = new byte[layout.StoredChunkSize];
        byte[] plain = new byte[layout.ChunkSize];
        while (true)
        {
            long remaining = (file.Length - layout.StoredOffsetOf(c)) - layout.Overhead;
            if (remaining <= 0)
                break;
            int len = (int)Math.Min(layout.ChunkSize, remaining);
            int storedLen = layout.StoredLengthOfChunk(len);
            if (Volume.ReadFully(file, layout.StoredOffsetOf(c), stored.AsSpan(0, storedLen)) < storedLen ||
                !cipher.TryDecryptChunk(c, stored.AsSpan(0, storedLen), plain.AsSpan(0, len)))
                break;
            valid += len;
            if (len < layout.ChunkSize)
                break;
            c++;
        }
        return valid;
    }

    private static int EmptyFolder(IBackingStore store, string dir)
    {
        if (store.TryGetEntry(dir) is null)
            return 0;
        int n = 0;
        foreach (var e in store.ListDirectory(dir))
        {
            var p = dir + "/" + e.Name;
            if (e.Kind == BackingEntryKind.Directory)
                store.DeleteDirectory(p);
            else
                store.DeleteFile(p);
            n++;
        }
        if (n > 0)
            store.SyncDirectory(dir);
        return n;
    }
}
