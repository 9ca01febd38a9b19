using Layered.Backing;

namespace Layered.Fsd;

/// <summary>
/// Walks a vault's backing folder (not its own .layered folder) and lists what a conversion still has to do: for
/// adoption, the plaintext files and backing symlinks; for decryption, the Layered files. Reads only the first bytes
/// of each file, so it needs no keys (`layered info` uses it to count what remains).
/// </summary>
public static class FolderSurvey
{
    /// <summary>Files probed in parallel: I/O-bound reads of one block each, so more than the cores.</summary>
    private const int ProbesAtOnce = 8;

    public static ConversionSurvey Run(IBackingStore store, ConversionDirection direction, INameTransform? names = null)
    {
        names ??= new PlainNameTransform();
        // Regular files are probed after the walk, several at a time (a cold disk answers many small reads at once
        // faster than one after another); order keeps the walk's order of files (index) and symlinks (~index).
        var files = new List<ConversionItem>();
        var symlinks = new List<ConversionItem>();
        var order = new List<int>();
        var unconvertible = new List<ConversionFailure>();
        var directories = new List<ConversionItem>();
        var pending = new Stack<(string StoreDir, string PlainDir)>();
        pending.Push(("", ""));
        while (pending.Count > 0)
        {
            var (dir, plainDir) = pending.Pop();
            var entries = store.ListDirectory(dir).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            for (int i = entries.Count - 1; i >= 0; i--)
            {
                var e = entries[i];
                var plainName = names.ToPlainName(dir, e.Name);
                if (plainName is null)
                    continue; // the vault's own folder
                var storePath = FsPath.Combine(dir, e.Name);
                var plainPath = FsPath.Combine(plainDir, plainName);
                if (direction == ConversionDirection.Encrypt && !IsHoldableName(plainPath, out var problem))
                {
                    unconvertible.Add(new ConversionFailure("/" + plainPath, $"a name the vault cannot hold ({problem})"));
                    continue;
                }
                switch (e.Kind)
                {
                    case BackingEntryKind.Directory:
                        pending.Push((storePath, plainPath));
                        directories.Add(new ConversionItem(plainPath, storePath, e));
                        break;
                    case BackingEntryKind.Symlink when direction == ConversionDirection.Encrypt:
                        symlinks.Add(new ConversionItem(plainPath, storePath, e));
                        order.Add(~(symlinks.Count - 1));
                        break;
                    case BackingEntryKind.File:
                        files.Add(new ConversionItem(plainPath, storePath, e));
                        order.Add(files.Count - 1);
                        break;
                    case BackingEntryKind.Other when direction == ConversionDirection.Encrypt:
                        unconvertible.Add(new ConversionFailure("/" + plainPath, "not a regular file, directory or symbolic link (the vault cannot hold devices, pipes or sockets)"));
                        break;
                }
            }
        }
        var forms = new StoredForm?[files.Count];
        var errors = new string?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = ProbesAtOnce }, i =>
        {
            try
            {
                forms[i] = StoredForms.Probe(store, files[i].StorePath);
            }
            catch (BackingStoreException ex)
            {
                errors[i] = ex.Message;
            }
        });
        var wanted = direction == ConversionDirection.Encrypt ? StoredForm.Plaintext : StoredForm.Layered;
        var items = new List<ConversionItem>();
        long bytes = 0;
        foreach (int i in order)
        {
            if (i < 0)
            {
                items.Add(symlinks[~i]);
                bytes += symlinks[~i].Entry.Length;
            }
            else if (errors[i] is { } error)
                unconvertible.Add(new ConversionFailure("/" + files[i].PlainPath, error));
            else if (forms[i] == wanted)
            {
                items.Add(files[i]);
                bytes += files[i].Entry.Length;
            }
        }
        var root = store.TryGetEntry("");
        if (root is not null)
            directories.Add(new ConversionItem("", "", root));
        return new ConversionSurvey(items, bytes, unconvertible, directories);
    }

    private static bool IsHoldableName(string plainPath, out string problem)
    {
        try
        {
            FsPath.Normalize(plainPath);
            problem = "";
            return true;
        }
        catch (FsException e)
        {
            problem = e.Message;
            return false;
        }
    }
}
