using System.Text;

namespace Layered.Fsd;

/// <summary>
/// Path rules of the plaintext namespace. Engine paths are '/'-separated, relative to the volume root
/// ("" is the root); hosts may pass a leading '/' (FUSE) or '\' separators (WinFsp) and get them normalized here.
/// The vault's own folder (.layered) at the root is reserved and never visible.
/// </summary>
public static class FsPath
{
    public const string ReservedRootName = ".layered";
    public const int MaxNameBytes = 255;

    /// <summary>Normalizes a host path and checks every component; throws FsException(NameInvalid/NameTooLong).</summary>
    public static string Normalize(string hostPath)
    {
        var p = hostPath.Replace('\\', '/').Trim('/');
        if (p.Length == 0)
            return "";
        if (p.Contains("//", StringComparison.Ordinal))
            p = string.Join('/', p.Split('/', StringSplitOptions.RemoveEmptyEntries));
        int start = 0;
        bool first = true;
        while (start <= p.Length)
        {
            int slash = p.IndexOf('/', start);
            int end = slash < 0 ? p.Length : slash;
            CheckName(p.AsSpan(start, end - start), p, first);
            first = false;
            if (slash < 0)
                break;
            start = slash + 1;
        }
        return p;
    }

    private static void CheckName(ReadOnlySpan<char> name, string path, bool atRoot)
    {
        if (name.Length == 0 || name is "." || name is "..")
            throw new FsException(FsStatus.NameInvalid, path, "Invalid path component");
        if (name.IndexOf('\0') >= 0)
            throw new FsException(FsStatus.NameInvalid, path, "Name contains a NUL character");
        if (atRoot && name.Equals(ReservedRootName, StringComparison.OrdinalIgnoreCase))
            throw new FsException(FsStatus.NameInvalid, path, "The name is reserved for the vault's own data");
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            throw new FsException(FsStatus.NameTooLong, path, "Name longer than 255 bytes");
    }

    public static string Parent(string path)
    {
        int i = path.LastIndexOf('/');
        return i < 0 ? "" : path[..i];
    }

    /// <summary>Whether two paths name entries of the same directory (compared as spelled, without allocating).</summary>
    public static bool SameParent(string a, string b)
    {
        int i = a.LastIndexOf('/'), j = b.LastIndexOf('/');
        return i == j && (i < 0 || a.AsSpan(0, i).SequenceEqual(b.AsSpan(0, j)));
    }

    public static string Name(string path)
    {
        int i = path.LastIndexOf('/');
        return i < 0 ? path : path[(i + 1)..];
    }

    public static string Combine(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsSelfOrDescendant(string path, string ancestor) =>
        ancestor.Length == 0 ||
        (path.StartsWith(ancestor, StringComparison.Ordinal) &&
         (path.Length == ancestor.Length || path[ancestor.Length] == '/'));

    /// <summary>Rewrites the prefix <paramref name="from"/> of <paramref name="path"/> to <paramref name="to"/>.</summary>
    public static string Rebase(string path, string from, string to) =>
        path.Length == from.Length ? to : Combine(to, path[(from.Length + 1)..]);
}
