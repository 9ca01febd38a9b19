namespace Layered.Fsd.Locking;

/// <summary>
/// A writer-preferring reader/writer lock built on Monitor only, so that Coyote's systematic tests control
/// every wait (ReaderWriterLockSlim is invisible to Coyote). Not reentrant: the engine never re-enters.
/// </summary>
internal sealed class ReaderWriterLock
{
    private int _readers;
    private bool _writer;
    private int _waitingWriters;

    public void EnterRead()
    {
        lock (this)
        {
            while (_writer || _waitingWriters > 0)
                Monitor.Wait(this);
            _readers++;
        }
    }

    public void ExitRead()
    {
        lock (this)
        {
            if (--_readers == 0)
                Monitor.PulseAll(this);
        }
    }

    public void EnterWrite()
    {
        lock (this)
        {
            _waitingWriters++;
            while (_writer || _readers > 0)
                Monitor.Wait(this);
            _waitingWriters--;
            _writer = true;
        }
    }

    public void ExitWrite()
    {
        lock (this)
        {
            _writer = false;
            Monitor.PulseAll(this);
        }
    }
}
