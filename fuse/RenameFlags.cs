namespace Layered.Fuse;

/// <summary>Flags of <c>renameat2(2)</c> as they reach the rename operation.</summary>
[Flags]
public enum RenameFlags : uint
{
    None = 0,
    /// <summary>RENAME_NOREPLACE: fail with EEXIST if the target exists.</summary>
    NoReplace = 1,
    /// <summary>RENAME_EXCHANGE: atomically swap source and target; both must exist.</summary>
    Exchange = 2,
}

/// <summary>Flags of <c>setxattr(2)</c>.</summary>
[Flags]
public enum XattrFlags
{
    None = 0,
    /// <summary>XATTR_CREATE: fail with EEXIST if the attribute exists.</summary>
    Create = 1,
    /// <summary>XATTR_REPLACE: fail with ENODATA if the attribute does not exist.</summary>
    Replace = 2,
}
