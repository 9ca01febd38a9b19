using Layered.Backing;

namespace Layered.Fsd;

/// <summary>
/// Walks a vault's backing folder (not its own .layered folder) and lists what a conversion still has to do: for
/// adoption, the plaintext files and backing symlinks; for decryption, the Layered files. Reads only the first bytes
/// of each file, so it needs no keys (`layered info` uses it to count what remains).
/// </summary>
public static class FolderSurvey
{
    public static ConversionSurvey Run(IBackingStore store, ConversionDirection direction, INameTransform? names = null)
    {
        names ??= new PlainNameTransform();
        var items = new List<ConversionItem>();
        var unconvertible = new List<ConversionFailure>();
        var directories = new List<ConversionItem>();
        long bytes = 0;
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
                        items.Add(new ConversionItem(plainPath, storePath, e));
                        bytes += e.Length;
                        break;
                    case BackingEntryKind.File:
                        StoredForm form;
                        try
                        {
                            form = StoredForms.Probe(store, storePath);
                        }
                        catch (BackingStoreException ex)
                        {
                            unconvertible.Add(new ConversionFailure("/" + plainPath, ex.Message));
                            break;
                        }
                        if (form == (direction == ConversionDirection.Encrypt ? StoredForm.Plaintext : StoredForm.Layered))
                        {
                            items.Add(new ConversionItem(plainPath, storePath, e));
                            bytes += e.Length;
                        }
                        break;
                    case BackingEntryKind.Other when direction == ConversionDirection.Encrypt:
                        unconvertible.Add(new ConversionFailure("/" + plainPath, "not a regular file, directory or symbolic link (the vault cannot hold devices, pipes or sockets)"));
                        break;
                }
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
