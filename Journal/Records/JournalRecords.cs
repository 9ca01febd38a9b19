namespace Layered.Journal;

/// <summary>
/// One redo record of the write-ahead journal. Each sealed subtype is one kind of metadata mutation; the
/// journal gives it its place in the total order (the LSN) and a sequence number. Encoding is done by
/// <see cref="JournalRecordCodec"/>. Arrays are held by reference: the journal encodes them at append
/// time, so a caller may reuse them after <see cref="WriteAheadJournal.Append"/> returns.
/// </summary>
public abstract record JournalRecord
{
    // Only the sealed records below derive from this; the codec knows each of them.
    private protected JournalRecord() { }
}

/// <summary>A name was created (create, mkdir, symlink). <paramref name="Payload"/> is engine-defined
/// (e.g. an encrypted symlink target) and may be empty.</summary>
public sealed record CreateRecord(
    UInt128 FileId, string Path, NodeKind Kind, uint Mode, int Uid, int Gid, uint Attributes, long CreationTime,
    byte[] Payload) : JournalRecord;

/// <summary>A rename. <paramref name="ReplacedFileId"/> is 0 when nothing was replaced.</summary>
public sealed record RenameRecord(
    UInt128 FileId, string FromPath, string ToPath, UInt128 ReplacedFileId, RenameMode Mode) : JournalRecord;

/// <summary>A name was removed (unlink, rmdir, delete at last cleanup).</summary>
public sealed record RemoveRecord(UInt128 FileId, string Path, NodeKind Kind) : JournalRecord;

/// <summary>A hard link: a second name for an existing file.</summary>
public sealed record LinkRecord(UInt128 FileId, string ExistingPath, string NewPath) : JournalRecord;

/// <summary>Unlink of an open file: the file was moved to the orphan area and is freed at last close.</summary>
public sealed record OrphanRecord(UInt128 FileId, string Path, string OrphanPath) : JournalRecord;

/// <summary>An orphan was freed (its last handle closed, or recovery cleaned it up).</summary>
public sealed record OrphanFreedRecord(UInt128 FileId, string OrphanPath) : JournalRecord;

/// <summary>End of file and valid data length changed.</summary>
public sealed record SetSizeRecord(UInt128 FileId, string Path, long Eof, long Vdl) : JournalRecord;

/// <summary>Attributes and times changed; only the fields named by <paramref name="Fields"/> apply.
/// Times are UTC ticks.</summary>
public sealed record SetAttributesRecord(
    UInt128 FileId, string Path, AttributeFields Fields, uint Mode, int Uid, int Gid, uint Attributes,
    long CreationTime, long LastAccessTime, long LastWriteTime, long ChangeTime) : JournalRecord;

/// <summary>A security descriptor was set.</summary>
public sealed record SetSecurityRecord(UInt128 FileId, string Path, byte[] Descriptor) : JournalRecord;

/// <summary>An extended attribute was set, or removed when <paramref name="Value"/> is null.</summary>
public sealed record SetXattrRecord(UInt128 FileId, string Path, string Name, byte[]? Value) : JournalRecord;

/// <summary>Redo image of one stored (encrypted) chunk, written before it is overwritten in place, with the
/// size the file has once the chunk is in place.</summary>
public sealed record ChunkImageRecord(
    UInt128 FileId, string Path, long ChunkIndex, byte[] StoredChunk, long Eof, long Vdl) : JournalRecord;

/// <summary>The engine made every effect of records with an LSN below <paramref name="CheckpointLsn"/> durable.
/// Appended by <see cref="WriteAheadJournal.Checkpoint"/>.</summary>
public sealed record CheckpointRecord(long CheckpointLsn) : JournalRecord;
