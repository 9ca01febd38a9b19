namespace Layered.Fuse;

/// <summary>
/// Who is calling: the credentials and umask of the process whose system call became this
/// request (from <c>fuse_get_context</c>). A value type, so building it allocates nothing.
/// </summary>
public readonly record struct FuseRequestContext(uint Uid, uint Gid, int Pid, uint Umask);
