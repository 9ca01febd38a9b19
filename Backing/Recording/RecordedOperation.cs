namespace Layered.Backing;

/// <summary>The kinds of mutation a <see cref="RecordingBackingStore"/> records.</summary>
public enum RecordedOperationKind
{
    /// <summary>OpenFile with CreateNew (or a lock file created by AcquireExclusiveLock).</summary>
    CreateFile,
    /// <summary>pwrite through an open file: <see cref="RecordedOperation.Offset"/> and <see cref="RecordedOperation.Data"/>.</summary>
    Write,
    /// <summary>ftruncate: <see cref="RecordedOperation.Length"/>.</summary>
    SetLength,
    /// <summary>fsync of a file: a durability point.</summary>
    FlushFile,
    CreateDirectory,
    DeleteFile,
    DeleteDirectory,
    /// <summary>Rename of <see cref="RecordedOperation.Path"/> to <see cref="RecordedOperation.TargetPath"/>.</summary>
    Rename,
    /// <summary>Hard link of <see cref="RecordedOperation.Path"/> as <see cref="RecordedOperation.TargetPath"/>.</summary>
    CreateHardLink,
    SetMode,
    SetOwner,
    SetTimes,
    SetXattr,
    RemoveXattr,
    /// <summary>fsync of a directory: a durability point.</summary>
    SyncDirectory,
    /// <summary>syncfs of the whole store: a durability point of every file and directory.</summary>
    SyncAll,
    /// <summary>Not a mutation: a label the test put in the recording (e.g. "op 3 acknowledged").</summary>
    Marker,
}

/// <summary>
/// One recorded mutation, as it was applied to the inner store. Only the fields its kind uses are set.
/// </summary>
/// <param name="Index">Position in the recording (0-based); the order the inner store applied it.</param>
/// <param name="Path">The path concerned. For file I/O (Write, SetLength, FlushFile) the file's name at
/// the time, as tracked through renames; if the file was unlinked while open, its last name.</param>
/// <param name="TargetPath">Rename target or new hard-link name.</param>
/// <param name="FileIdentity">For CreateFile and file I/O: the inode the inner store reported when the
/// file was opened, stable across renames and unlinks.</param>
/// <param name="Offset">Write offset.</param>
/// <param name="Length">Write length (bytes) or the new length of SetLength.</param>
/// <param name="Data">Bytes written (Write) or the xattr value (SetXattr); a private copy.</param>
/// <param name="Label">Marker label, or the xattr name for SetXattr / RemoveXattr.</param>
public sealed record RecordedOperation(
    int Index,
    RecordedOperationKind Kind,
    string Path,
    string? TargetPath = null,
    ulong FileIdentity = 0,
    long Offset = 0,
    long Length = 0,
    ReadOnlyMemory<byte> Data = default,
    bool Replace = false,
    UnixMode Mode = UnixMode.None,
    int Uid = -1,
    int Gid = -1,
    DateTime? LastAccessUtc = null,
    DateTime? LastWriteUtc = null,
    string? Label = null)
{
    /// <summary>fsync of a file or a directory, or syncfs of the store: after it, the inner store promises what
    /// it covered.</summary>
    public bool IsDurabilityPoint => Kind is RecordedOperationKind.FlushFile or RecordedOperationKind.SyncDirectory
        or RecordedOperationKind.SyncAll;

    /// <summary>Operations on an open file's contents (the ones a crash may drop, reorder or tear).</summary>
    public bool IsFileData => Kind is RecordedOperationKind.Write or RecordedOperationKind.SetLength;

    public override string ToString() => Kind switch
    {
        RecordedOperationKind.Write => $"#{Index} Write {Path} (inode {FileIdentity}) [{Offset}, +{Length})",
        RecordedOperationKind.SetLength => $"#{Index} SetLength {Path} (inode {FileIdentity}) {Length}",
        RecordedOperationKind.FlushFile => $"#{Index} FlushFile {Path} (inode {FileIdentity})",
        RecordedOperationKind.CreateFile => $"#{Index} CreateFile {Path} (inode {FileIdentity})",
        RecordedOperationKind.Rename => $"#{Index} Rename {Path} -> {TargetPath}{(Replace ? " (replace)" : "")}",
        RecordedOperationKind.CreateHardLink => $"#{Index} CreateHardLink {Path} -> {TargetPath}",
        RecordedOperationKind.SetXattr or RecordedOperationKind.RemoveXattr => $"#{Index} {Kind} {Path} {Label}",
        RecordedOperationKind.Marker => $"#{Index} Marker {Label}",
        RecordedOperationKind.SyncAll => $"#{Index} SyncAll",
        _ => $"#{Index} {Kind} {Path}",
    };
}

/// <summary>How <see cref="Recording.ApplyTo(IBackingStore, IEnumerable{int}, ReplayMode)"/> treats an
/// operation the target cannot apply.</summary>
public enum ReplayMode
{
    /// <summary>Any failure is thrown: a full replay must succeed.</summary>
    Strict,
    /// <summary>Operations that fail because the namespace differs (NotFound, NotADirectory, AlreadyExists,
    /// NotEmpty, IsADirectory) are skipped and counted: a crash state built from a subset of the recording
    /// may lack a name a later operation needs, and that operation then simply never reached the disk.</summary>
    SkipConflicts,
}
