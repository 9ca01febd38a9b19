namespace Layered.Backing;

/// <summary>
/// Validation of store-relative paths, shared by every store so they all refuse the same inputs:
/// '/' separators, no leading '/', no empty, "." or ".." components, no NUL. "" is the root.
/// </summary>
public static class BackingPath
{
    /// <summary>Throws <see cref="BackingError.NameInvalid"/> naming <paramref name="path"/> when it is not a
    /// well-formed store path.</summary>
    public static void Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return;
        }
        if (path[0] == '/')
        {
            throw Invalid(path, "Absolute paths are not allowed in the backing store");
        }
        if (path.Contains('\0'))
        {
            throw Invalid(path, "Path contains a NUL character");
        }
        foreach (var range in path.AsSpan().Split('/'))
        {
            var component = path.AsSpan()[range];
            if (component.IsEmpty)
            {
                throw Invalid(path, "Path has an empty component");
            }
            if (component is "." or "..")
            {
                throw Invalid(path, "Path has a '.' or '..' component");
            }
        }
    }

    /// <summary>Validates and also refuses the root, for operations that need a name (create, delete, rename).</summary>
    public static void ValidateNotRoot(string path, string operation)
    {
        Validate(path);
        if (path.Length == 0)
        {
            throw Invalid(path, $"Cannot {operation} the store root");
        }
    }

    /// <summary>The parent directory of a path ("" for a top-level name). The path must not be the root.</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>The last component of a path ("" for the root).</summary>
    public static string Name(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>Joins a directory and a child name.</summary>
    public static string Combine(string directory, string name) =>
        directory.Length == 0 ? name : directory + "/" + name;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsSameOrBelow(string path, string ancestor) =>
        ancestor.Length == 0
        || path == ancestor
        || (path.Length > ancestor.Length && path[ancestor.Length] == '/' && path.StartsWith(ancestor, StringComparison.Ordinal));

    private static BackingStoreException Invalid(string path, string message) =>
        new(BackingError.NameInvalid, path, message);
}
