namespace Layered.Backing;

/// <summary>
/// Knobs of <see cref="InMemoryBackingStore"/> that let tests provoke conditions deterministically:
/// the clock, a capacity (NoSpace), and the names the store refuses (NameInvalid, NameTooLong).
/// </summary>
public sealed record InMemoryStoreOptions
{
    /// <summary>Source of every timestamp the store sets. Default: the system clock (UTC).</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.UtcNow;

    /// <summary>Bytes of file data the store holds before writes fail with NoSpace. Only file contents
    /// count (names, directories and xattrs are free), including files unlinked but still open.</summary>
    public long CapacityBytes { get; init; } = 1L << 40;

    /// <summary>Longest path component, in UTF-8 bytes, as ext4's 255. Longer names fail with NameTooLong.</summary>
    public int MaxNameLength { get; init; } = 255;

    /// <summary>Characters a name may not contain (NameInvalid), e.g. the ones Windows refuses. '/' and NUL
    /// are always refused.</summary>
    public IReadOnlySet<char> ForbiddenNameCharacters { get; init; } = new HashSet<char>();

    /// <summary>Largest extended attribute value, as Linux's XATTR_SIZE_MAX; larger values fail with NoSpace.</summary>
    public int MaxXattrValueLength { get; init; } = 64 * 1024;

    /// <summary>Owner given to new files and directories.</summary>
    public int Uid { get; init; }

    /// <summary>Group given to new files and directories.</summary>
    public int Gid { get; init; }
}
