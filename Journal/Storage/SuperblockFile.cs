using Layered.Backing;
using Microsoft.Extensions.Logging;

namespace Layered.Journal.Storage;

/// <summary>Reads and writes the two <see cref="Superblock"/> slots of the superblock file. Thread-safe: checkpoints
/// and segment creation (on the device's write thread) both update it.</summary>
internal sealed class SuperblockFile : IDisposable
{
    private readonly IBackingFile _file;
    private readonly byte[] _buffer = new byte[Superblock.SlotSize * 2];
    private readonly object _lock = new();
    private int _currentSlot;
    private Superblock _current;

    private SuperblockFile(IBackingFile file, Superblock current, int currentSlot)
    {
        _file = file;
        _current = current;
        _currentSlot = currentSlot;
    }

    public string Path => _file.Path;

    public Superblock Current
    {
        get { lock (_lock) return _current; }
    }

    /// <summary>Creates the file with <paramref name="initial"/> in slot 0, fsyncs it and its directory.</summary>
    public static SuperblockFile Create(IBackingStore store, string directory, Superblock initial)
    {
        var file = store.OpenFile(BackingLogDevice.BackingPath(directory, Superblock.FileName), BackingOpenMode.CreateNew);
        try
        {
            var result = new SuperblockFile(file, initial, 1);
            result.Write(initial);
            store.SyncDirectory(directory);
            return result;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens the file and picks the newest valid slot; throws <see cref="JournalCorruptException"/> when
    /// neither slot is valid.</summary>
    public static SuperblockFile Open(IBackingStore store, string directory, ILogger logger)
    {
        string path = BackingLogDevice.BackingPath(directory, Superblock.FileName);
        var file = store.OpenFile(path, BackingOpenMode.OpenReadWrite);
        try
        {
            var buffer = new byte[Superblock.SlotSize * 2];
            int n = file.Read(0, buffer);
            var first = n >= Superblock.SlotSize ? Superblock.TryDecode(buffer.AsSpan(0, Superblock.SlotSize)) : null;
            var second = n >= 2 * Superblock.SlotSize ? Superblock.TryDecode(buffer.AsSpan(Superblock.SlotSize)) : null;
            if (first is null && second is null)
            {
                foreach (int offset in new[] { 0, Superblock.SlotSize })
                    if (n >= offset + Superblock.SlotSize && Superblock.FormatVersionOf(buffer.AsSpan(offset, Superblock.SlotSize)) is { } version
                        && version != Superblock.Version)
                        throw new JournalCorruptException(path, -1,
                            $"the journal has on-disk format version {version}; this build reads only version {Superblock.Version} (no migration: recreate the journal)");
                throw new JournalCorruptException(path, -1, $"no valid superblock slot ({n} bytes, both CRCs or headers bad)");
            }
            if (first is not null && second is not null && first.JournalId != second.JournalId)
                throw new JournalCorruptException(path, -1, "the two superblock slots belong to different journals");
            bool firstNewest = second is null || (first is not null && first.Generation > second.Generation);
            var newest = firstNewest ? first! : second!;
            var other = firstNewest ? second : first;
            if (other is null && n >= 2 * Superblock.SlotSize && !IsBlank(buffer.AsSpan(firstNewest ? Superblock.SlotSize : 0, Superblock.SlotSize)))
                logger.LogWarning("Superblock {Path}: one slot is damaged; using generation {Generation} from the other", path, newest.Generation);
            return new SuperblockFile(file, newest, firstNewest ? 0 : 1);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> slot) => !slot.ContainsAnyExcept((byte)0);

    /// <summary>Writes <paramref name="next"/> into the slot that does not hold the current superblock, and fsyncs.</summary>
    public void Write(Superblock next)
    {
        lock (_lock)
            WriteLocked(next);
    }

    /// <summary>Writes <c>change(current)</c> with the next generation, atomically with respect to other updates.</summary>
    public Superblock Update(Func<Superblock, Superblock> change)
    {
        lock (_lock)
        {
            var next = change(_current) with { Generation = _current.Generation + 1 };
            WriteLocked(next);
            return next;
        }
    }

    private void WriteLocked(Superblock next)
    {
        int target = 1 - _currentSlot;
        var slot = _buffer.AsSpan(0, Superblock.SlotSize);
        next.Encode(slot);
        _file.Write((long)target * Superblock.SlotSize, slot);
        _file.Flush();
        _currentSlot = target;
        _current = next;
    }

    public void Dispose() => _file.Dispose();
}
