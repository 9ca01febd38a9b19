using Layered.Backing.Memory;

namespace Layered.Backing;

/// <summary>An open file of <see cref="InMemoryBackingStore"/>. It holds the inode, not the name, so it
/// keeps working after the file is renamed or unlinked, as a POSIX file descriptor does.</summary>
internal sealed class InMemoryBackingFile(InMemoryBackingStore store, MemoryFile file, string path, bool writable) : IBackingFile
{
    private bool _closed;

    /// <summary>The path the file was opened under (it is not updated if the file is renamed later).</summary>
    public string Path { get; } = path;

    public long Length
    {
        get
        {
            lock (store.Gate)
            {
                CheckOpen();
                return file.Length;
            }
        }
    }

    public int Read(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (store.Gate)
        {
            CheckOpen();
            return file.Read(offset, buffer);
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (store.Gate)
        {
            CheckWritable("write");
            store.WriteFile(file, Path, offset, data);
        }
    }

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (store.Gate)
        {
            CheckWritable("ftruncate");
            store.SetFileLength(file, Path, length);
        }
    }

    public void Flush()
    {
        lock (store.Gate)
        {
            CheckOpen();
            InMemoryBackingStore.FlushFile(file);
        }
    }

    public void Dispose()
    {
        lock (store.Gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            store.ReleaseHandle(file);
        }
    }

    private void CheckOpen() => ObjectDisposedException.ThrowIf(_closed, this);

    private void CheckWritable(string operation)
    {
        CheckOpen();
        if (!writable)
        {
            throw new BackingStoreException(BackingError.AccessDenied, Path, $"{operation} failed (file not open for writing)");
        }
    }
}
