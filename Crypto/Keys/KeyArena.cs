using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Crypto;

/// <summary>
/// Memory for per-file content keys: a few large page-aligned regions, each allocated once, locked against
/// swapping and excluded from core dumps (sodium_mlock), cut into 32-byte slots. Renting and returning a slot
/// is a lock and a free-list push or pop: no system call per key, where an NSec key costs a libsodium guarded
/// allocation (mmap, mprotect, mlock, and the reverse on free) per file. A returned slot is zeroed before it
/// can be rented again. Grows by one region when every slot is in use; never shrinks while it lives.
/// If the system refuses to lock a region (RLIMIT_MEMLOCK) the arena keeps working with unlocked memory,
/// logs it once and says so through <see cref="AllRegionsLocked"/>.
/// Disposing frees the regions once the last rented slot comes back, so a key still held by a cipher
/// outliving its vault is never freed under it.
/// </summary>
internal sealed unsafe class KeyArena : IDisposable
{
    public const int SlotSize = 32;
    public const int DefaultRegionSize = 64 * 1024;

    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly nuint _regionSize;
    private readonly int _slotsPerRegion;
    private readonly List<nint> _regions = [];
    private nint[] _free = [];
    private int _freeCount;
    private int _rented;
    private bool _allLocked = true;
    private bool _disposed;

    public KeyArena(ILogger? logger = null, int regionSize = DefaultRegionSize)
    {
        int page = Environment.SystemPageSize;
        if (regionSize < page || regionSize % page != 0)
            throw new ArgumentOutOfRangeException(nameof(regionSize), regionSize, $"a region is a whole number of {page}-byte pages");
        Sodium.EnsureInitialized();
        _logger = logger ?? NullLogger.Instance;
        _regionSize = (nuint)regionSize;
        _slotsPerRegion = regionSize / SlotSize;
    }

    /// <summary>Regions allocated so far (each <see cref="SlotsPerRegion"/> slots).</summary>
    public int RegionCount
    {
        get { lock (_gate) return _regions.Count; }
    }

    public int SlotsPerRegion => _slotsPerRegion;

    /// <summary>Slots rented and not yet returned.</summary>
    public int RentedSlots
    {
        get { lock (_gate) return _rented; }
    }

    /// <summary>False once the system refused to lock a region: keys may then reach swap.</summary>
    public bool AllRegionsLocked
    {
        get { lock (_gate) return _allLocked; }
    }

    /// <summary>A zeroed 32-byte slot; hand it back with <see cref="Return"/> exactly once.</summary>
    public byte* Rent()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_freeCount == 0)
                AddRegion();
            _rented++;
            return (byte*)_free[--_freeCount];
        }
    }

    /// <summary>Zeroes the slot and makes it available again. The caller must not touch it afterwards.</summary>
    public void Return(byte* slot)
    {
        CryptographicOperations.ZeroMemory(new Span<byte>(slot, SlotSize));
        lock (_gate)
        {
            if (!Owns(slot))
                throw new ArgumentException("the slot does not belong to this key arena", nameof(slot));
            _free[_freeCount++] = (nint)slot;
            _rented--;
            if (_disposed && _rented == 0)
                FreeRegions();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            if (_rented == 0)
                FreeRegions();
        }
    }

    private void AddRegion()
    {
        void* region = NativeMemory.AlignedAlloc(_regionSize, (nuint)Environment.SystemPageSize);
        NativeMemory.Clear(region, _regionSize);
        if (Sodium.sodium_mlock(region, _regionSize) != 0)
            ReportLockFailure(Marshal.GetLastPInvokeError());
        _regions.Add((nint)region);
        Array.Resize(ref _free, _regions.Count * _slotsPerRegion);
        // Pushed from the top so slots are rented in address order (the lowest first).
        for (int i = _slotsPerRegion - 1; i >= 0; i--)
            _free[_freeCount++] = (nint)region + i * SlotSize;
    }

    private void ReportLockFailure(int errno)
    {
        if (!_allLocked)
            return;
        _allLocked = false;
        _logger.LogWarning(
            "File content keys could not be locked in memory (mlock failed, error {Errno}; RLIMIT_MEMLOCK?): they work but may be swapped to disk",
            errno);
    }

    private bool Owns(byte* slot)
    {
        nint address = (nint)slot;
        foreach (nint region in _regions)
        {
            if (address >= region && address < region + (nint)_regionSize)
                return (address - region) % SlotSize == 0;
        }
        return false;
    }

    private void FreeRegions()
    {
        foreach (nint region in _regions)
        {
            // sodium_munlock zeroes the whole region before unlocking it (harmless where the lock had failed).
            Sodium.sodium_munlock((void*)region, _regionSize);
            NativeMemory.AlignedFree((void*)region);
        }
        _regions.Clear();
        _free = [];
        _freeCount = 0;
    }
}
