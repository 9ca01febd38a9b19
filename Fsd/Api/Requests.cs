using Layered.Backing;

namespace Layered.Fsd;

/// <summary>What to do when the name exists or not (NT CreateDisposition; POSIX open flags map onto it).</summary>
public enum CreateDisposition
{
    /// <summary>Fail if it exists; create otherwise (O_CREAT|O_EXCL, FILE_CREATE).</summary>
    Create,
    /// <summary>Fail if missing (FILE_OPEN, plain open).</summary>
    Open,
    /// <summary>Open or create (O_CREAT, FILE_OPEN_IF).</summary>
    OpenIf,
    /// <summary>Open and truncate to zero; fail if missing (FILE_OVERWRITE).</summary>
    Overwrite,
    /// <summary>Open and truncate, or create (O_CREAT|O_TRUNC, FILE_OVERWRITE_IF).</summary>
    OverwriteIf,
    /// <summary>Replace the file with a new one: attributes are replaced, not merged (FILE_SUPERSEDE).</summary>
    Supersede,
}

[Flags]
public enum FileAccess2
{
    None = 0,
    Read = 1,
    Write = 2,
    /// <summary>The right to delete (NT DELETE): needed to set the delete disposition.</summary>
    Delete = 4,
    ReadWrite = Read | Write,
    All = Read | Write | Delete,
}

/// <summary>A create or open request.</summary>
public sealed record CreateRequest
{
    public CreateDisposition Disposition { get; init; } = CreateDisposition.Open;
    public FileAccess2 Access { get; init; } = FileAccess2.Read;
    /// <summary>Create a directory (FILE_DIRECTORY_FILE) when creating; require one when opening.</summary>
    public bool Directory { get; init; }
    /// <summary>Require a non-directory (FILE_NON_DIRECTORY_FILE / O_ flags on a file path).</summary>
    public bool NonDirectory { get; init; }
    /// <summary>Delete at last cleanup (FILE_DELETE_ON_CLOSE).</summary>
    public bool DeleteOnClose { get; init; }
    public UnixMode Mode { get; init; } = UnixMode.DefaultFile;
    public int Uid { get; init; } = -1;
    public int Gid { get; init; } = -1;
    /// <summary>NT attributes for a created file (or, for Overwrite/Supersede, the new ones).</summary>
    public NtAttributes Attributes { get; init; }
    /// <summary>Initial allocation size (NT); the engine keeps it as a hint only.</summary>
    public long AllocationSize { get; init; }
}

/// <summary>What the open found or did, for hosts that report it (NT's Information field).</summary>
public enum CreateOutcome { Opened, Created, Overwritten, Superseded }

public enum WriteMode
{
    /// <summary>Write at the offset; extends the file when it ends past EOF.</summary>
    AtOffset,
    /// <summary>Write at the end of file, decided atomically (O_APPEND, FILE_WRITE_TO_END_OF_FILE).</summary>
    Append,
    /// <summary>Paging I/O (WinFsp ConstrainedIo): clipped to EOF, never extends.</summary>
    Paging,
}

[Flags]
public enum RenameFlags
{
    None = 0,
    /// <summary>Replace an existing target (POSIX rename default; NT ReplaceIfExists).</summary>
    Replace = 1,
    /// <summary>NT rule: a directory target is never replaced, even with Replace (STATUS_ACCESS_DENIED).</summary>
    NeverReplaceDirectory = 2,
    /// <summary>Swap the two names atomically (RENAME_EXCHANGE).</summary>
    Exchange = 4,
}

/// <summary>NT Cleanup flags: what to do at cleanup of one handle.</summary>
[Flags]
public enum CleanupFlags
{
    None = 0,
    Delete = 1,
    SetAllocationSize = 2,
    SetArchiveBit = 0x10,
    SetLastAccessTime = 0x20,
    SetLastWriteTime = 0x40,
    SetChangeTime = 0x80,
}

/// <summary>Which fields of a basic-info change to apply (null fields are left unchanged).</summary>
public readonly record struct BasicInfoChange(
    NtAttributes? Attributes = null,
    DateTime? CreationUtc = null,
    DateTime? LastAccessUtc = null,
    DateTime? LastWriteUtc = null,
    DateTime? ChangeUtc = null);
