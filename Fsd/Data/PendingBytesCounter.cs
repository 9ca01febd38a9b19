namespace Layered.Fsd.Data;

/// <summary>
/// Stored bytes held by every file's pending overwrites in one volume. Each file bounds its own set, but files
/// that were closed keep theirs until the next checkpoint, so without a volume-wide bound an untar (every 10 KiB
/// tar block rewrites the previous block's partial last chunk) held hundreds of MiB of chunk copies.
/// </summary>
internal sealed class PendingBytesCounter
{
    private long _bytes;

    public long Bytes => Volatile.Read(ref _bytes);

    public void Add(long delta)
    {
        if (delta != 0)
            Interlocked.Add(ref _bytes, delta);
    }
}
