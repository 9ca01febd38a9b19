namespace Layered.Backing.DirectoryStore;

/// <summary>
/// A flush of the whole file system that holds the store (<see cref="IBackingStore.SyncAll"/>), opened once when
/// the store is opened and kept: Linux's syncfs reports the write-back errors of the file system since the
/// descriptor it is given was opened, so one opened at flush time would miss an error in the background
/// write-back of earlier data.
/// </summary>
internal interface IFileSystemFlush : IDisposable
{
    /// <summary>Every completed change of the file system durable; a BackingStoreException naming the folder when
    /// the system reports a write-back error.</summary>
    void Flush();
}
