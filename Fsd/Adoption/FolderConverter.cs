using System.Diagnostics;
using System.Security.Cryptography;
using Layered.Backing;
using Layered.Crypto;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

/// <summary>
/// Converts every file of a mounted vault's folder in place, through the engine: each file under the exclusive lock of
/// its directory, journaled, as one atomic rename (see Volume.Conversion.cs). Adoption of files that are not
/// hard-linked goes in batches that share the cost of durability (see <see cref="BatchedEncryption"/>). Adoption
/// (<see cref="ConversionDirection.Encrypt"/>) turns plaintext files into Layered files and backing symlinks into
/// Layered symlinks; decryption does the reverse. Hard links stay hard links: the first name of a group is converted
/// and also linked under the group's key in .layered, and every other name is atomically replaced by a link to it.
/// Files that cannot be converted are left untouched and reported; running again picks up what is left.
/// </summary>
public sealed class FolderConverter
{
    private readonly Volume _volume;
    private readonly ILogger _log;

    public FolderConverter(Volume volume, ILogger logger)
    {
        _volume = volume;
        _log = logger;
    }

    /// <summary>How adoption makes each batch of encrypted copies durable (see <see cref="BatchedEncryption"/>).</summary>
    public BatchDurability Durability { get; init; } = BatchDurability.SyncFileSystem;

    /// <summary>What remains to do in <paramref name="direction"/>.</summary>
    public ConversionSurvey Survey(ConversionDirection direction) => FolderSurvey.Run(_volume.Store, direction, _volume.Names);

    public ConversionResult Run(ConversionDirection direction, IProgress<ConversionProgress>? progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        _volume.CheckWritable("");
        _volume.Checkpoint(); // nothing unsynced may sit in a node while its file is replaced
        _volume.BeginMixedContent();
        // A link group of the other direction, left by an interrupted run, is only an extra name of a converted file
        // whose original still has its name: dropping it loses nothing.
        DropLinkFolder(direction == ConversionDirection.Encrypt ? Volume.DecryptLinksDirectory : Volume.AdoptLinksDirectory);
        string links = direction == ConversionDirection.Encrypt ? Volume.AdoptLinksDirectory : Volume.DecryptLinksDirectory;

        var survey = Survey(direction);
        var failures = new List<ConversionFailure>(survey.Unconvertible);
        foreach (var f in survey.Unconvertible)
            _log.LogWarning("Not converted: {Failure}", f);
        // Names per hard-link group found in this walk; a group's key link goes once all of them are done.
        var groupNames = survey.Items.Where(i => i.Entry.LinkCount > 1).GroupBy(i => i.Entry.Inode).ToDictionary(g => g.Key, g => g.Count());
        long files = 0, bytes = 0;
        bool cancelled = false;
        void Converted(ConversionItem item)
        {
            files++;
            bytes += item.Entry.Length;
            progress?.Report(new ConversionProgress(files, survey.Files, bytes, survey.Bytes, clock.Elapsed));
        }
        // Adoption of plain files with one name (nearly all) goes in batches; everything else, and decryption, one by
        // one. Ctrl-C starts no new file: the batches in flight are finished.
        var oneByOne = new List<ConversionItem>();
        using (var batches = direction == ConversionDirection.Encrypt
                   ? new BatchedEncryption(_volume, _log, Durability, Converted, oneByOne, failures, cancel) : null)
        {
            foreach (var item in survey.Items)
            {
                if (cancel.IsCancellationRequested)
                    break;
                if (batches is not null && item.Entry.Kind == BackingEntryKind.File && item.Entry.LinkCount <= 1)
                    batches.Add(item);
                else
                    oneByOne.Add(item);
                if (batches is null)
                    ConvertEach(oneByOne);
            }
            batches?.Finish();
        }
        ConvertEach(oneByOne);
        cancelled |= cancel.IsCancellationRequested;

        void ConvertEach(List<ConversionItem> items)
        {
            foreach (var item in items)
            {
                if (cancel.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }
                try
                {
                    if (ConvertOne(item, direction, links, groupNames))
                        Converted(item);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
                {
                    _log.LogWarning("Not converted: /{Path}: {Reason}", item.PlainPath, e.Message);
                    failures.Add(new ConversionFailure("/" + item.PlainPath, e.Message));
                }
            }
            items.Clear();
        }
        RestoreDirectoryTimes(survey);
        var result = new ConversionResult(files, bytes, failures, cancelled);
        if (result.Complete && direction == ConversionDirection.Encrypt)
            _volume.EndMixedContent();
        _volume.Checkpoint();
        return result;
    }

    /// <summary>Converts one name; false when there was nothing to do any more (converted on open, removed, replaced).</summary>
    private bool ConvertOne(ConversionItem item, ConversionDirection direction, string links, Dictionary<ulong, int> groupNames)
    {
        var v = _volume;
        using var scope = v.Locks.Change(FsPath.Parent(item.PlainPath));
        var entry = v.Store.TryGetEntry(item.StorePath);
        if (entry is null || entry.Inode != item.Entry.Inode || entry.Kind != item.Entry.Kind)
            return false;
        if (entry.Kind == BackingEntryKind.File)
        {
            var form = StoredForms.Probe(v.Store, item.StorePath);
            if (form != (direction == ConversionDirection.Encrypt ? StoredForm.Plaintext : StoredForm.Layered))
                return false;
        }
        if (entry.Kind == BackingEntryKind.Symlink)
        {
            v.EncryptInPlaceLocked(item.PlainPath, item.StorePath, entry, ReadBackingSymlink(item.StorePath), null);
            return true;
        }
        // The key is looked up whatever the link count: once some names of a group are converted, the remaining
        // original may be down to one name (and an interrupted run may have left exactly that).
        string? key = Volume.GroupKey(links, entry);
        if (v.Store.TryGetEntry(key) is not null)
            v.RelinkToConvertedLocked(item.PlainPath, item.StorePath, entry, key, GroupFileId(key, item, direction));
        else
        {
            if (entry.LinkCount <= 1)
                key = null;
            if (direction == ConversionDirection.Encrypt)
                v.EncryptInPlaceLocked(item.PlainPath, item.StorePath, entry, null, key);
            else
                v.DecryptInPlaceLocked(item.PlainPath, item.StorePath, entry, CreateBackingSymlink, key);
        }
        if (key is not null && groupNames.TryGetValue(item.Entry.Inode, out int left))
        {
            groupNames[item.Entry.Inode] = --left;
            if (left == 0)
            {
                v.Store.DeleteFile(key);
                v.Store.SyncDirectory(links);
            }
        }
        return true;
    }

    /// <summary>Renaming converted files into a directory moved its modification time: it gets back the times it had when
    /// the run started (deepest first, as setting them on a child does not touch the parent).</summary>
    private void RestoreDirectoryTimes(ConversionSurvey survey)
    {
        foreach (var dir in survey.Directories.OrderByDescending(d => d.StorePath.Count(c => c == '/')).ThenByDescending(d => d.StorePath.Length))
        {
            try
            {
                using var scope = _volume.Locks.Change(dir.PlainPath);
                var now = _volume.Store.TryGetEntry(dir.StorePath);
                if (now is not null && now.Inode == dir.Entry.Inode)
                    _volume.Store.SetTimes(dir.StorePath, dir.Entry.LastAccessUtc, dir.Entry.LastWriteUtc);
            }
            catch (IOException e)
            {
                _log.LogDebug(e, "Times of /{Path} not restored", dir.PlainPath);
            }
        }
    }

    /// <summary>The Layered id of a hard-link group's converted file, for the journal record of a relink.</summary>
    private UInt128 GroupFileId(string key, ConversionItem item, ConversionDirection direction)
    {
        var encrypted = direction == ConversionDirection.Encrypt ? key : item.StorePath;
        using var file = _volume.Store.OpenFile(encrypted, BackingOpenMode.OpenRead);
        return _volume.ReadHeader(file, encrypted, out _).FileId.ToUInt128();
    }

    private void DropLinkFolder(string dir)
    {
        var store = _volume.Store;
        if (store.TryGetEntry(dir) is null)
            return;
        foreach (var e in store.ListDirectory(dir))
            store.DeleteFile(dir + "/" + e.Name);
        store.DeleteDirectory(dir);
        store.SyncDirectory(Volume.MetaDirectory);
    }

    private string FullPath(string storePath)
    {
        var root = _volume.Store.Location;
        if (!Directory.Exists(root))
            throw new BackingStoreException(BackingError.NotSupported, storePath, "Symbolic links can only be converted in a folder on disk");
        return Path.Combine(root, storePath);
    }

    private string ReadBackingSymlink(string storePath)
    {
        var target = new FileInfo(FullPath(storePath)).LinkTarget
                     ?? throw new BackingStoreException(BackingError.IoError, storePath, "The symbolic link has no target");
        if (target.Length == 0 || target.Contains('\0') || System.Text.Encoding.UTF8.GetByteCount(target) > 4096)
            throw new BackingStoreException(BackingError.NameInvalid, storePath, "The symbolic link's target is longer than 4096 bytes");
        return target;
    }

    private void CreateBackingSymlink(string storePath, string target) => File.CreateSymbolicLink(FullPath(storePath), target);
}
