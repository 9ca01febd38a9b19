namespace Layered.Backing;

/// <summary>An open file of <see cref="RecordingBackingStore"/>: reads pass through; writes, truncates and
/// fsyncs are applied under the recorder's lock and recorded with the file's identity and current name.</summary>
internal sealed class RecordingBackingFile(RecordingBackingStore store, IBackingFile inner, ulong identity, RecordingBackingStore.TrackedFile tracked) : IBackingFile
{
    private bool _closed;

    public string Path => inner.Path;

    public long Length => inner.Length;

    public int Read(long offset, Span<byte> buffer) => inner.Read(offset, buffer);

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        lock (store.Gate)
        {
            inner.Write(offset, data);
            var copy = data.ToArray();
            store.Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.Write, tracked.Path,
                FileIdentity: identity, Offset: offset, Length: copy.Length, Data: copy));
        }
    }

    public void SetLength(long length)
    {
        lock (store.Gate)
        {
            inner.SetLength(length);
            store.Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.SetLength, tracked.Path,
                FileIdentity: identity, Length: length));
        }
    }

    public void Flush()
    {
        lock (store.Gate)
        {
            inner.Flush();
            store.Recording.Append(i => new RecordedOperation(i, RecordedOperationKind.FlushFile, tracked.Path, FileIdentity: identity));
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
            inner.Dispose();
            store.Closed(identity, tracked);
        }
    }
}
