using System.Security.Cryptography;
using Layered.Backing;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

/// <summary>How an adoption makes a batch of encrypted copies durable before they replace their originals.</summary>
public enum BatchDurability
{
    /// <summary>One syncfs(2) of the backing file system per batch for the copies and one for the renames, where
    /// available (Linux, a folder on disk); elsewhere as <see cref="SyncEachFile"/>.</summary>
    SyncFileSystem,
    /// <summary>An fsync per copy, on the thread that wrote it, and one per directory touched.</summary>
    SyncEachFile,
}

/// <summary>
/// Adopts plaintext files that are not hard-linked in batches, so the cost of durability is paid per batch, not per
/// file: (1) <see cref="Prepare"/> writes the encrypted copies of a batch under .layered/tmp, on every core, without
/// locks; (2) <see cref="Complete"/> makes them durable together (one syncfs, or an fsync each), then one by one,
/// under the exclusive lock of its directory, checks each original unchanged, journals its rename and renames the copy
/// over it, and finally makes the renames durable (one more syncfs, or an fsync per directory touched). The next
/// batch is prepared while one completes, and the replaced originals are closed (their blocks freed) meanwhile. A crash anywhere leaves each name holding its original or its durable
/// encrypted copy (a rename is atomic, and none happens before the copies are durable); copies not yet in place are
/// temporaries that recovery deletes.
/// </summary>
internal sealed class EncryptionBatch
{
    /// <summary>A batch closes at this many files or bytes: bounds the extra disk space, the work lost to a crash, and
    /// the handles held (each file keeps its original open until after its rename: two batches, 2 x MaxFiles).</summary>
    public const int MaxFiles = 512;
    public const long MaxBytes = 64L << 20;

    /// <summary>POSIX lets a file open for reading be renamed over (the name goes, the object stays until closed);
    /// Windows refuses unless every opener allowed deletion, so originals are closed before their rename there.</summary>
    private static bool KeepOriginalsOpen => !OperatingSystem.IsWindows();

    private readonly Volume _volume;
    private readonly ILogger _log;
    private readonly bool _syncFileSystem;
    private readonly List<ConversionItem> _items = new();
    private long _bytes;
    private Task? _closing;

    public EncryptionBatch(Volume volume, ILogger log, BatchDurability durability)
    {
        _volume = volume;
        _log = log;
        _syncFileSystem = durability == BatchDurability.SyncFileSystem && FileSystemSync.IsAvailableFor(volume.Store.Location);
    }

    public int Count => _items.Count;

    /// <summary>Adds a file; true when the batch is full and should be prepared.</summary>
    public bool Add(ConversionItem item)
    {
        _items.Add(item);
        _bytes += item.Entry.Length;
        return _items.Count >= MaxFiles || _bytes >= MaxBytes;
    }

    /// <summary>Takes the files added so far, for <see cref="Prepare"/>.</summary>
    public ConversionItem[] Take()
    {
        var items = _items.ToArray();
        _items.Clear();
        _bytes = 0;
        return items;
    }

    /// <summary>Writes the encrypted copies of <paramref name="items"/> (not durable yet). Cancellation stops the
    /// writing; files not started are left for a later run.</summary>
    public Prepared Prepare(ConversionItem[] items, CancellationToken cancel)
    {
        var store = _volume.Store;
        var batch = new Prepared(items, _syncFileSystem ? FileSystemSync.Open(store.Location) : null); // before any copy is written
        Parallel.For(0, items.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            if (cancel.IsCancellationRequested)
                return;
            var item = items[i];
            try
            {
                var now = store.TryGetEntry(item.StorePath);
                if (now is null || now.Inode != item.Entry.Inode || now.Kind != BackingEntryKind.File)
                    return; // removed, renamed away or converted on open since the survey
                if (store.TryGetEntry(Volume.GroupKey(Volume.AdoptLinksDirectory, now)) is not null)
                {
                    batch.LinkGroups[i] = true;
                    return;
                }
                batch.Copies[i] = _volume.WriteEncryptedCopy(item.StorePath, now, null, durable: !_syncFileSystem, keepOriginalOpen: KeepOriginalsOpen);
                items[i] = item with { Entry = now };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                batch.Errors[i] = e.Message;
            }
        });
        return batch;
    }

    /// <summary>
    /// Puts the prepared copies in place durably. <paramref name="converted"/> is called for each file put in place,
    /// once its new name is durable; files that must go the one-by-one way (the last name of a hard-link group whose
    /// converted file exists) are added to <paramref name="deferred"/>; files left as they were to <paramref name="failures"/>.
    /// </summary>
    public void Complete(Prepared batch, Action<ConversionItem> converted, List<ConversionItem> deferred, List<ConversionFailure> failures)
    {
        var fileSystem = batch.FileSystem;
        WaitForClosing(); // the last batch's originals: bounds the handles held to two batches'
        var originals = new List<IBackingFile>(batch.Items.Length);
        try
        {
            var items = batch.Items;
            if (fileSystem is not null)
            {
                try
                {
                    fileSystem.Sync();
                }
                catch (IOException e)
                {
                    // No copy may replace its original: each file of the batch is left as it was, and named.
                    for (int i = 0; i < items.Length; i++)
                        if (batch.Copies[i] is not null)
                            batch.Errors[i] = e.Message;
                    Abandon(batch);
                }
            }
            var touched = new HashSet<string>(StringComparer.Ordinal);
            var replaced = new List<ConversionItem>(items.Length);
            for (int i = 0; i < items.Length; i++)
            {
                var item = items[i];
                if (batch.Errors[i] is { } error)
                {
                    _log.LogWarning("Not converted: /{Path}: {Reason}", item.PlainPath, error);
                    failures.Add(new ConversionFailure("/" + item.PlainPath, error));
                    continue;
                }
                if (batch.LinkGroups[i])
                {
                    deferred.Add(item);
                    continue;
                }
                if (batch.Copies[i] is not { } copy)
                    continue;
                batch.Copies[i] = null;
                if (copy.Original is not null)
                    originals.Add(copy.Original);
                try
                {
                    switch (_volume.ReplaceWithCopy(item.PlainPath, item.StorePath, item.Entry, copy))
                    {
                        case CopyOutcome.Replaced:
                            touched.Add(FsPath.Parent(item.StorePath));
                            replaced.Add(item);
                            break;
                        case CopyOutcome.LinkGroup:
                            deferred.Add(item);
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _log.LogWarning("Not converted: /{Path}: {Reason}", item.PlainPath, e.Message);
                    failures.Add(new ConversionFailure("/" + item.PlainPath, e.Message));
                }
            }
            if (fileSystem is not null && touched.Count > 1)
                fileSystem.Sync();
            else
                foreach (var dir in touched)
                    _volume.Store.SyncDirectory(dir);
            foreach (var item in replaced)
                converted(item);
        }
        finally
        {
            Abandon(batch); // whatever an error left unplaced; closes the file system handle
            // The last close of a replaced original frees its blocks: done on the pool, while the next batch goes on.
            var closing = originals.ToArray();
            _closing = Task.Run(() => Parallel.ForEach(closing, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, f => f.Dispose()));
        }
    }

    /// <summary>Waits until the originals replaced by the last batch are closed (and their blocks freed).</summary>
    public void WaitForClosing()
    {
        var closing = _closing;
        _closing = null;
        closing?.GetAwaiter().GetResult();
    }

    /// <summary>Deletes the copies of a batch that will not complete (a run stopped by an error).</summary>
    public void Abandon(Prepared batch)
    {
        for (int i = 0; i < batch.Copies.Length; i++)
        {
            if (batch.Copies[i] is not { } copy)
                continue;
            batch.Copies[i] = null;
            copy.Original?.Dispose();
            try
            {
                _volume.Store.DeleteFile(copy.TempPath);
            }
            catch (Exception e) when (e is IOException)
            {
                _log.LogWarning(e, "Could not remove the temporary '/{Path}'; recovery removes it at the next mount", copy.TempPath);
            }
        }
        batch.FileSystem?.Dispose();
    }

    /// <summary>A batch whose copies are written: one slot per file (a copy, an error, or a hard-link group).</summary>
    internal sealed class Prepared(ConversionItem[] items, FileSystemSync? fileSystem)
    {
        public readonly ConversionItem[] Items = items;
        public readonly FileSystemSync? FileSystem = fileSystem;
        public readonly EncryptedCopy?[] Copies = new EncryptedCopy?[items.Length];
        public readonly string?[] Errors = new string?[items.Length];
        public readonly bool[] LinkGroups = new bool[items.Length];
    }
}
