using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Concurrency.Tests.Harness;

public enum StoreKind { Memory, Directory }

/// <summary>
/// A mounted volume for one race: on the in-memory store behind <see cref="InterleavingStore"/> (systematic
/// tests) or on a real folder (stress tests). Gives the four views the races compare: the volume's own, the
/// backing store's, the journal's (replayed through <see cref="JournalReplayModel"/>) and a fresh mount's.
/// </summary>
public sealed class RaceVolume : IDisposable
{
    /// <summary>A file that only forces a journal commit; not part of any race's namespace.</summary>
    public const string MarkerName = "~marker";

    private readonly InMemoryBackingStore? _memory;
    private readonly string? _root;
    private readonly EngineTestSwitches _switches;

    public RaceVolume(StoreKind kind, EngineTestSwitches? switches = null)
    {
        _switches = switches ?? new EngineTestSwitches();
        if (kind == StoreKind.Memory)
        {
            _memory = new InMemoryBackingStore();
            Store = new InterleavingStore(_memory);
        }
        else
        {
            _root = Path.Combine(Path.GetTempPath(), "layered-race-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_root);
            Store = new DirectoryBackingStore(_root);
        }
        Volume.InitializeStore(Store, new JournalOptions(), NullLoggerFactory.Instance);
        Volume = Mount(Store, _switches);
    }

    public IBackingStore Store { get; }
    public Volume Volume { get; private set; }

    private static Volume Mount(IBackingStore store, EngineTestSwitches switches) => Volume.Mount(new VolumeOptions
    {
        Store = store,
        Vault = SharedVault.Vault,
        CheckpointInterval = TimeSpan.Zero,
        // No checkpoint may truncate the journal while a race runs: the journal is one of the views compared.
        MaxRetainedDirtyNodes = 1 << 20,
        TestSwitches = switches,
    });

    // ---- set-up and observation through the engine ----

    public FileHandle Open(string path, CreateDisposition disposition = CreateDisposition.OpenIf, FileAccess2 access = FileAccess2.All)
    {
        var status = Volume.Create(path, new CreateRequest { Disposition = disposition, Access = access }, out var h, out _, out _);
        if (status != FsStatus.Success)
            throw new InvalidOperationException($"open '{path}' failed: {status}");
        return h!;
    }

    public void WriteFile(string path, byte[] data)
    {
        var h = Open(path, CreateDisposition.OverwriteIf);
        try
        {
            var status = Volume.Write(h, 0, data, WriteMode.AtOffset, out _, out _);
            if (status != FsStatus.Success)
                throw new InvalidOperationException($"write '{path}' failed: {status}");
        }
        finally
        {
            Volume.Release(h);
        }
    }

    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="fill"/> at <paramref name="offset"/> through
    /// <paramref name="handle"/>; the result as the data races compare it ("status:bytes@offset").</summary>
    public string WriteFill(FileHandle handle, long offset, int length, byte fill)
    {
        var status = Volume.Write(handle, offset, Enumerable.Repeat(fill, length).ToArray(), WriteMode.AtOffset, out int n, out long at);
        return $"{status}:{n}@{at}";
    }

    /// <summary>The file's content as the given volume shows it, or null when the name does not exist.</summary>
    public static byte[]? ReadFile(Volume volume, string path)
    {
        var status = volume.Create(path, new CreateRequest { Disposition = CreateDisposition.Open, Access = FileAccess2.Read }, out var h, out _, out _);
        if (status == FsStatus.NotFound)
            return null;
        if (status != FsStatus.Success)
            throw new InvalidOperationException($"open '{path}' failed: {status}");
        try
        {
            volume.GetInfo(h!, out var info);
            var buffer = new byte[info.EndOfFile];
            status = volume.Read(h!, 0, buffer, out int n);
            if (status != FsStatus.Success || n != buffer.Length)
                throw new InvalidOperationException($"read '{path}' failed: {status}, {n} of {buffer.Length} bytes");
            return buffer;
        }
        finally
        {
            volume.Release(h!);
        }
    }

    /// <summary>Every file of the root directory with its content, as the given volume shows them.</summary>
    public static SortedDictionary<string, byte[]> Contents(Volume volume)
    {
        var entries = new List<DirectoryEntry>();
        var status = volume.ReadDirectory("", null, int.MaxValue, true, entries);
        if (status != FsStatus.Success)
            throw new InvalidOperationException($"listing the root failed: {status}");
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e.Info.IsDirectory || e.Name == MarkerName || e.Name.StartsWith('.'))
                continue;
            result[e.Name] = ReadFile(volume, e.Name) ?? throw new InvalidOperationException($"'{e.Name}' vanished");
        }
        return result;
    }

    /// <summary>The names in the backing store's root (the vault's private folder left out).</summary>
    public SortedSet<string> StoreNames()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in Store.ListDirectory(""))
            if (!e.Name.StartsWith('.') && e.Name != MarkerName)
                names.Add(e.Name);
        return names;
    }

    /// <summary>Names left in the orphan area (must be none once every handle is closed).</summary>
    public int OrphanCount() => Store.ListDirectory(".layered/orphans").Count;

    /// <summary>
    /// The journal as recovery would read it, without closing the volume (a clean close checkpoints and truncates
    /// it): a marker file is written and fsynced, which commits the journal up to the marker's record, and so
    /// every record before it (FasterLog commits a prefix). The journal is then opened on a copy of what is
    /// durable — <see cref="InMemoryBackingStore.CloneDurableState"/>, or a copy of the journal folder — never on
    /// the files the mounted volume holds. Call only when no operation is running.
    /// </summary>
    public List<JournalEntry> ReadJournal()
    {
        var h = Open(MarkerName);
        try
        {
            Check(Volume.Write(h, 0, [1], WriteMode.Append, out _, out _), "marker write");
            Check(Volume.Flush(h), "marker flush");
        }
        finally
        {
            Volume.Release(h);
        }
        IBackingStore copy;
        string? copyRoot = null;
        if (_memory is not null)
        {
            copy = _memory.CloneDurableState();
        }
        else
        {
            copyRoot = _root + "-journal";
            var journalCopy = Path.Combine(copyRoot, VaultLayout.MetaDirectoryName, VaultLayout.JournalDirectoryName);
            Directory.CreateDirectory(journalCopy);
            foreach (var f in Directory.GetFiles(Path.Combine(_root!, VaultLayout.MetaDirectoryName, VaultLayout.JournalDirectoryName)))
                File.Copy(f, Path.Combine(journalCopy, Path.GetFileName(f)));
            copy = new DirectoryBackingStore(copyRoot);
        }
        try
        {
            using var journal = WriteAheadJournal.Open(copy, VaultLayout.MetaDirectoryName + "/" + VaultLayout.JournalDirectoryName,
                new JournalOptions(), NullLogger.Instance);
            return journal.ReadForReplay().ToList();
        }
        finally
        {
            copy.Dispose();
            if (copyRoot is not null)
                Directory.Delete(copyRoot, true);
        }
    }

    /// <summary>Closes the volume cleanly and mounts the same store again: what a fresh open of the backing folder shows.</summary>
    public SortedDictionary<string, byte[]> RemountContents()
    {
        Volume.Dispose();
        Volume = Mount(Store, new EngineTestSwitches());
        return Contents(Volume);
    }

    private static void Check(FsStatus status, string what)
    {
        if (status != FsStatus.Success)
            throw new InvalidOperationException($"{what} failed: {status}");
    }

    public void Dispose()
    {
        Volume.Dispose();
        Store.Dispose();
        if (_root is not null)
            try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
