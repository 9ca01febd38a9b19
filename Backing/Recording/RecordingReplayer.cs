namespace Layered.Backing;

/// <summary>
/// Applies recorded operations to a store. File I/O goes through handles keyed by the recorded file
/// identity, so a write after a rename or unlink reaches the same file it reached when recorded,
/// exactly as the original open handle did. Public so crash-state builders can apply modified
/// operations (a torn write is a Write with a prefix of its data).
/// </summary>
public static class RecordingReplayer
{
    public static int Apply(IBackingStore target, IEnumerable<RecordedOperation> operations, ReplayMode mode)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(operations);
        var handles = new Dictionary<ulong, IBackingFile>();
        var skipped = 0;
        try
        {
            foreach (var operation in operations)
            {
                try
                {
                    ApplyOne(target, operation, handles);
                }
                catch (BackingStoreException e) when (mode == ReplayMode.SkipConflicts && IsNamespaceConflict(e.Error))
                {
                    skipped++;
                }
            }
        }
        finally
        {
            foreach (var handle in handles.Values)
            {
                handle.Dispose();
            }
        }
        return skipped;
    }

    private static bool IsNamespaceConflict(BackingError error) => error is BackingError.NotFound or BackingError.NotADirectory
        or BackingError.AlreadyExists or BackingError.NotEmpty or BackingError.IsADirectory;

    private static void ApplyOne(IBackingStore target, RecordedOperation op, Dictionary<ulong, IBackingFile> handles)
    {
        switch (op.Kind)
        {
            case RecordedOperationKind.CreateFile:
                var created = target.OpenFile(op.Path, BackingOpenMode.CreateNew);
                // An inode number can be reused once its file is gone: the new file takes the slot.
                if (handles.Remove(op.FileIdentity, out var previous))
                {
                    previous.Dispose();
                }
                handles.Add(op.FileIdentity, created);
                break;
            case RecordedOperationKind.Write:
                Handle(target, op, handles).Write(op.Offset, op.Data.Span);
                break;
            case RecordedOperationKind.SetLength:
                Handle(target, op, handles).SetLength(op.Length);
                break;
            case RecordedOperationKind.FlushFile:
                Handle(target, op, handles).Flush();
                break;
            case RecordedOperationKind.CreateDirectory:
                target.CreateDirectory(op.Path, op.Mode);
                break;
            case RecordedOperationKind.DeleteFile:
                target.DeleteFile(op.Path);
                break;
            case RecordedOperationKind.DeleteDirectory:
                target.DeleteDirectory(op.Path);
                break;
            case RecordedOperationKind.Rename:
                target.Rename(op.Path, op.TargetPath!, op.Replace);
                break;
            case RecordedOperationKind.CreateHardLink:
                target.CreateHardLink(op.Path, op.TargetPath!);
                break;
            case RecordedOperationKind.SetMode:
                target.SetMode(op.Path, op.Mode);
                break;
            case RecordedOperationKind.SetOwner:
                target.SetOwner(op.Path, op.Uid, op.Gid);
                break;
            case RecordedOperationKind.SetTimes:
                target.SetTimes(op.Path, op.LastAccessUtc, op.LastWriteUtc);
                break;
            case RecordedOperationKind.SetXattr:
                target.SetXattr(op.Path, op.Label!, op.Data.Span);
                break;
            case RecordedOperationKind.RemoveXattr:
                target.RemoveXattr(op.Path, op.Label!);
                break;
            case RecordedOperationKind.SyncDirectory:
                target.SyncDirectory(op.Path);
                break;
            case RecordedOperationKind.SyncAll:
                // A target that cannot flush as a whole still gets every change: only its own durability differs,
                // and a replayed state is judged by its content.
                if (target.CanSyncAll)
                {
                    target.SyncAll();
                }
                break;
            case RecordedOperationKind.Marker:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "Unknown recorded operation");
        }
    }

    /// <summary>The replay's handle on a file; opened by its recorded name the first time the replay meets it
    /// without having created it (a file that existed before recording, or whose creation was left out).</summary>
    private static IBackingFile Handle(IBackingStore target, RecordedOperation op, Dictionary<ulong, IBackingFile> handles)
    {
        if (!handles.TryGetValue(op.FileIdentity, out var handle))
        {
            handle = target.OpenFile(op.Path, BackingOpenMode.OpenReadWrite);
            handles.Add(op.FileIdentity, handle);
        }
        return handle;
    }
}
