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
/// batch is written while one completes, and the replaced originals are closed (their blocks freed) meanwhile.
/// A crash anywhere leaves each name holding its original or its durable encrypted copy (a rename is atomic, and none
/// happens before the copies are durable); copies not yet in place are temporaries that recovery deletes.
/// </summary>
internal sealed class BatchedEncryption : IDisposable
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
    private readonly Action<ConversionItem> _converted;
    private readonly List<ConversionItem> _deferred;
    private readonly List<ConversionFailure> _failures;
    private readonly CancellationToken _cancel;
    private readonly List<ConversionItem> _items = new();
    private long _bytes;
    private Task<Prepared>? _writing;
    private Task? _closing;

    /// <summary>
    /// <paramref name="converted"/> is called for each file put in place, once its new name is durable; files that must
    /// go the one-by-one way (the last name of a hard-link group whose converted file exists) are added to
    /// <paramref name="deferred"/>; files left as they were to <paramref name="failures"/>. Cancellation stops the
    /// writing of copies; the copies already written are still put in place.
    /// </summary>
    public BatchedEncryption(Volume volume, ILogger log, BatchDurability durability, Action<ConversionItem> converted,
        List<ConversionItem> deferred, List<ConversionFailure> failures, CancellationToken cancel)
    {
        _volume = volume;
        _log = log;
        _syncFileSystem = durability == BatchDurability.SyncFileSystem && volume.Store.CanSyncAll;
        _converted = converted;
        _deferred = deferred;
        _failures = failures;
        _cancel = cancel;
    }

    /// <summary>Adds a plaintext file with one name; a full batch starts being written, and the one written before
    /// completes meanwhile.</summary>
    public void Add(ConversionItem item)
    {
        _items.Add(item);
        _bytes += item.Entry.Length;
        if (_items.Count >= MaxFiles || _bytes >= MaxBytes)
            StartNextBatch();
    }

    /// <summary>Writes what was added since the last batch (unless cancelled) and completes every batch.</summary>
    public void Finish()
    {
        if (_items.Count > 0 && !_cancel.IsCancellationRequested)
            StartNextBatch();
        var last = _writing;
        _writing = null;
        if (last is not null)
            Complete(last.GetAwaiter().GetResult());
        WaitForClosing();
    }

    /// <summary>After an error: waits for the batch being written (no write after the volume closes) and drops its
    /// copies, and waits for the originals being closed.</summary>
    public void Dispose()
    {
        var writing = _writing;
        _writing = null;
        try
        {
            if (writing is not null)
                Abandon(writing.GetAwaiter().GetResult());
            WaitForClosing();
        }
        catch (Exception e)
        {
            _log.LogWarning(e, "A batch in flight when the adoption stopped failed too; recovery removes its temporaries");
        }
    }

    private void StartNextBatch()
    {
        var previous = _writing;
        var items = _items.ToArray();
        _items.Clear();
        _bytes = 0;
        _writing = Task.Run(() => Prepare(items));
        if (previous is not null)
            Complete(previous.GetAwaiter().GetResult());
    }

    /// <summary>Writes the encrypted copies of <paramref name="items"/> (not durable yet). Cancellation stops the
    /// writing; files not started are left for a later run.</summary>
    private Prepared Prepare(ConversionItem[] items)
    {
        var store = _volume.Store;
        // The store's flush reports write-back errors since the store was opened, so one in a copy is not missed.
        var batch = new Prepared(items);
        Parallel.For(0, items.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            if (_cancel.IsCancellationRequested)
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

    /// <summary>Puts the prepared copies in place durably (see the class summary).</summary>
    private void Complete(Prepared batch)
    {
        WaitForClosing(); // the last batch's originals: bounds the handles held to two batches'
        var originals = new List<IBackingFile>(batch.Items.Length);
        try
        {
            var items = batch.Items;
            if (_syncFileSystem)
            {
                try
                {
                    _volume.Store.SyncAll();
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
                    _failures.Add(new ConversionFailure("/" + item.PlainPath, error));
                    continue;
                }
                if (batch.LinkGroups[i])
                {
                    _deferred.Add(item);
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
                            _deferred.Add(item);
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _log.LogWarning("Not converted: /{Path}: {Reason}", item.PlainPath, e.Message);
                    _failures.Add(new ConversionFailure("/" + item.PlainPath, e.Message));
                }
            }
            if (_syncFileSystem && touched.Count > 1)
                _volume.Store.SyncAll();
            else
                foreach (var dir in touched)
                    _volume.Store.SyncDirectory(dir);
            foreach (var item in replaced)
                _converted(item); // counted once its new name is durable
        }
        finally
        {
            Abandon(batch); // whatever an error left unplaced
            // The last close of a replaced original frees its blocks: done on the pool, while the next batch goes on.
            var closing = originals.ToArray();
            _closing = Task.Run(() => Parallel.ForEach(closing, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, f => f.Dispose()));
        }
    }

    /// <summary>Waits until the originals replaced by the last batch are closed (and their blocks freed).</summary>
    private void WaitForClosing()
    {
        var closing = _closing;
        _closing = null;
        closing?.GetAwaiter().GetResult();
    }

    /// <summary>Deletes the copies of a batch that will not complete (a run stopped by an error).</summary>
    private void Abandon(Prepared batch)
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
    }

    /// <summary>A batch whose copies are written: one slot per file (a copy, an error, or a hard-link group).</summary>
    private sealed class Prepared(ConversionItem[] items)
    {
        public readonly ConversionItem[] Items = items;
        public readonly EncryptedCopy?[] Copies = new EncryptedCopy?[items.Length];
        public readonly string?[] Errors = new string?[items.Length];
        public readonly bool[] LinkGroups = new bool[items.Length];
    }
}
