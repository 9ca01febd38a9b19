namespace Layered.Fuse;

/// <summary>
/// Who is calling: the credentials and umask of the process whose system call became this
/// request (from <c>fuse_get_context</c>). A value type, so building it allocates nothing.
/// </summary>
public readonly record struct FuseRequestContext(uint Uid, uint Gid, int Pid, uint Umask)
{
    /// <summary>
    /// For a WRITE when the file system kills privileges (<see cref="FuseHost.KillsPrivilegesInFileSystem"/>): the
    /// kernel's FUSE_WRITE_KILL_SUIDGID, set when the writer lacks CAP_FSETID, so set-id bits must go. Null when
    /// not known (another request, or the host could not read it).
    /// </summary>
    public bool? KillSetIdBits { get; init; }
}
