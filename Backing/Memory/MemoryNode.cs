namespace Layered.Backing.Memory;

/// <summary>Attributes every node has; copied as a whole when a node's metadata becomes durable.</summary>
internal sealed class NodeAttributes
{
    public UnixMode Mode;
    public int Uid;
    public int Gid;
    public DateTime LastAccessUtc;
    public DateTime LastWriteUtc;
    public DateTime ChangeUtc;
    public SortedDictionary<string, byte[]> Xattrs = new(StringComparer.Ordinal);

    /// <summary>Overwrites this with <paramref name="other"/>, reusing this instance (no allocation when there
    /// are no xattrs, so an fsync in steady state allocates nothing).</summary>
    public void CopyFrom(NodeAttributes other)
    {
        Mode = other.Mode;
        Uid = other.Uid;
        Gid = other.Gid;
        LastAccessUtc = other.LastAccessUtc;
        LastWriteUtc = other.LastWriteUtc;
        ChangeUtc = other.ChangeUtc;
        if (Xattrs.Count > 0)
        {
            Xattrs.Clear();
        }
        if (other.Xattrs.Count == 0)
        {
            return; // enumerating a SortedDictionary allocates; skip it when there is nothing to copy
        }
        foreach (var (name, value) in other.Xattrs)
        {
            Xattrs[name] = (byte[])value.Clone();
        }
    }

    public NodeAttributes Copy()
    {
        var copy = (NodeAttributes)MemberwiseClone();
        copy.Xattrs = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, value) in Xattrs)
        {
            copy.Xattrs[name] = (byte[])value.Clone();
        }
        return copy;
    }
}

/// <summary>An inode of the in-memory store. All fields are guarded by the store's single lock.</summary>
internal abstract class MemoryNode(ulong inode, NodeAttributes attributes)
{
    public ulong Inode { get; } = inode;

    /// <summary>The live attributes.</summary>
    public NodeAttributes Attributes { get; } = attributes;

    /// <summary>The attributes as of this node's last durability point (creation, fsync of a file,
    /// SyncDirectory of a directory): what a power cut leaves.</summary>
    public NodeAttributes DurableAttributes { get; set; } = attributes.Copy();

    /// <summary>Number of names (hard links) in the live namespace.</summary>
    public int Links { get; set; }

    public abstract BackingEntryKind Kind { get; }

    public abstract long Length { get; }

    public abstract int LinkCount { get; }

    public BackingEntry ToEntry(string name) => new(
        name, Kind, Length, Inode, LinkCount, Attributes.Mode, Attributes.Uid, Attributes.Gid,
        Attributes.LastAccessUtc, Attributes.LastWriteUtc, Attributes.ChangeUtc);
}

/// <summary>A regular file: its bytes, and its bytes as of the last fsync.</summary>
internal sealed class MemoryFile(ulong inode, NodeAttributes attributes) : MemoryNode(inode, attributes)
{
    private byte[] _data = [];
    private long _length;

    private byte[] _durable = [];
    private int _durableLength;

    /// <summary>Content as of the last fsync (empty until the first one), as a fresh array.</summary>
    public byte[] DurableContent() => _durable.AsSpan(0, _durableLength).ToArray();

    /// <summary>fsync: the current content becomes the durable one (the buffer is reused, so a steady
    /// stream of fsyncs of a file that does not grow allocates nothing).</summary>
    public void MakeContentDurable()
    {
        if (_durable.Length < _length)
        {
            _durable = new byte[_data.Length];
        }
        _data.AsSpan(0, (int)_length).CopyTo(_durable);
        _durableLength = (int)_length;
    }

    /// <summary>Open IBackingFile handles; a file with no links stays alive while this is above zero.</summary>
    public int OpenHandles { get; set; }

    /// <summary>Whether an exclusive lock is held on this file.</summary>
    public bool Locked { get; set; }

    public override BackingEntryKind Kind => BackingEntryKind.File;

    public override long Length => _length;

    public override int LinkCount => Links;

    public int Read(long offset, Span<byte> buffer)
    {
        if (offset >= _length)
        {
            return 0;
        }
        var count = (int)Math.Min(buffer.Length, _length - offset);
        _data.AsSpan((int)offset, count).CopyTo(buffer);
        return count;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        var end = offset + data.Length;
        EnsureCapacity(end);
        if (offset > _length)
        {
            _data.AsSpan((int)_length, (int)(offset - _length)).Clear();
        }
        data.CopyTo(_data.AsSpan((int)offset));
        _length = Math.Max(_length, end);
    }

    public void SetLength(long length)
    {
        if (length > _length)
        {
            EnsureCapacity(length);
            _data.AsSpan((int)_length, (int)(length - _length)).Clear();
        }
        _length = length;
    }

    public byte[] Content() => _data.AsSpan(0, (int)_length).ToArray();

    /// <summary>Replaces the content (used when building a crash state).</summary>
    public void SetContent(byte[] content)
    {
        _data = content;
        _length = content.Length;
        _durable = (byte[])content.Clone();
        _durableLength = content.Length;
    }

    private void EnsureCapacity(long length)
    {
        if (length > _data.Length)
        {
            var size = Math.Max(length, Math.Min(Array.MaxLength, Math.Max(256, (long)_data.Length * 2)));
            Array.Resize(ref _data, (int)size);
        }
    }
}

/// <summary>A directory: its names, and its names as of the last SyncDirectory.</summary>
internal sealed class MemoryDirectory(ulong inode, NodeAttributes attributes) : MemoryNode(inode, attributes)
{
    public Dictionary<string, MemoryNode> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>Names as of the last SyncDirectory of this directory (empty until the first one).</summary>
    public Dictionary<string, MemoryNode> DurableChildren { get; set; } = new(StringComparer.Ordinal);

    public override BackingEntryKind Kind => BackingEntryKind.Directory;

    public override long Length => 0;

    /// <summary>As on ext4: "." and the parent's entry, plus each subdirectory's "..".</summary>
    public override int LinkCount => 2 + Children.Values.Count(c => c is MemoryDirectory);
}
