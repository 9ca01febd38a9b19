namespace Layered.Crypto;

/// <summary>
/// Replaces a small file atomically and durably: write "name.tmp" beside it, fsync it, rename over the
/// target, fsync the directory. A crash leaves either the old or the new file, never a mix.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> contents, bool mustNotExist)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // 0600: the wrapped key is nobody else's business
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            if (mustNotExist && File.Exists(path))
                throw new VaultAlreadyExistsException(path);
            File.Move(temp, path, overwrite: !mustNotExist);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        DirectorySync.Flush(directory);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more; a stale .tmp is overwritten by the next attempt.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
