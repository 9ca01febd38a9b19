namespace Layered.Fuse.Adapter;

/// <summary>
/// A caller's supplementary groups. FUSE requests carry the caller's file system uid and gid and its process id
/// only; the kernel's own check uses the credentials' group list, which /proc/PID/status shows as "Groups:".
/// A process that has already exited has none (its request is answered by the owner and other bits alone).
/// </summary>
internal static class SupplementaryGroups
{
    public static IReadOnlyCollection<uint> Of(int pid)
    {
        if (pid <= 0)
            return [];
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("Groups:", StringComparison.Ordinal))
                    continue;
                var groups = new HashSet<uint>();
                foreach (string part in line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (uint.TryParse(part, out uint gid))
                        groups.Add(gid);
                }
                return groups;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return [];
    }
}
