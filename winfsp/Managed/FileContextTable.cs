using System.Diagnostics.CodeAnalysis;

namespace Layered.WinFsp.Managed;

/// <summary>
/// Per-open contexts handed to WinFsp as opaque ids (UmFileContextIsUserContext2: one value per open
/// handle). An id is the slot index plus one in the low 32 bits and the slot's generation in the high
/// 32 bits, so a stale id (a late callback after Close) is recognised instead of reaching a reused slot.
/// Id 0 is never issued: WinFsp uses a null context for volume-level requests.
/// Thread-safe: WinFsp's FINE guard does not serialize Close against Open, Read or Write.
/// </summary>
public sealed class FileContextTable
{
    private readonly Lock _gate = new();
    private object?[] _items = new object?[64];
    private uint[] _generations = new uint[64];
    private readonly Stack<int> _free = new();
    private int _highWater;
    private int _count;

    /// <summary>Number of contexts currently open (not yet closed).</summary>
    public int Count
    {
        get { lock (_gate) { return _count; } }
    }

    /// <summary>Stores <paramref name="item"/> and returns its non-zero id.</summary>
    public nuint Add(object item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            int index;
            if (_free.Count > 0)
            {
                index = _free.Pop();
            }
            else
            {
                if (_highWater == _items.Length)
                {
                    Array.Resize(ref _items, _items.Length * 2);
                    Array.Resize(ref _generations, _generations.Length * 2);
                }

                index = _highWater++;
            }

            _items[index] = item;
            _count++;
            return Encode(index, _generations[index]);
        }
    }

    /// <summary>Looks an id up; false for 0, unknown and already-closed ids.</summary>
    public bool TryGet(nuint id, [NotNullWhen(true)] out object? item)
    {
        lock (_gate)
        {
            if (TryDecode(id, out int index))
            {
                item = _items[index]!;
                return true;
            }
        }

        item = null;
        return false;
    }

    /// <summary>Removes an id (at Close); false if it is not open, e.g. a second Close.</summary>
    public bool TryRemove(nuint id, [NotNullWhen(true)] out object? item)
    {
        lock (_gate)
        {
            if (TryDecode(id, out int index))
            {
                item = _items[index]!;
                Release(index);
                return true;
            }
        }

        item = null;
        return false;
    }

    /// <summary>Removes and returns every open context (the sweep after the dispatcher stopped).</summary>
    public List<object> RemoveAll()
    {
        var removed = new List<object>();
        lock (_gate)
        {
            for (int index = 0; index < _highWater; index++)
            {
                if (_items[index] is { } item)
                {
                    removed.Add(item);
                    Release(index);
                }
            }
        }

        return removed;
    }

    private void Release(int index)
    {
        _items[index] = null;
        _generations[index]++;
        _free.Push(index);
        _count--;
    }

    private static nuint Encode(int index, uint generation) =>
        (nuint)(((ulong)generation << 32) | (uint)(index + 1));

    private bool TryDecode(nuint id, out int index)
    {
        ulong value = id;
        long slot = (long)(value & 0xFFFFFFFF) - 1;
        uint generation = (uint)(value >> 32);
        index = (int)slot;
        return slot >= 0 && slot < _highWater && _items[slot] is not null && _generations[slot] == generation;
    }
}
