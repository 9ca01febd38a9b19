namespace Layered.Journal;

/// <summary>What kind of name a record is about.</summary>
public enum NodeKind : byte { File = 1, Directory = 2, Symlink = 3 }

/// <summary>How a rename treats an existing target (RENAME_NOREPLACE, replace, RENAME_EXCHANGE).</summary>
public enum RenameMode : byte { NoReplace = 0, Replace = 1, Exchange = 2 }

/// <summary>Which fields of a <see cref="SetAttributesRecord"/> carry a change; the others are ignored at redo.</summary>
[Flags]
public enum AttributeFields : ushort
{
    None = 0,
    Mode = 1,
    Owner = 2,
    Attributes = 4,
    CreationTime = 8,
    LastAccessTime = 16,
    LastWriteTime = 32,
    ChangeTime = 64,
    All = Mode | Owner | Attributes | CreationTime | LastAccessTime | LastWriteTime | ChangeTime,
}
