using Layered.Backing;
using Layered.Crypto;

namespace Layered.Fsd;

/// <summary>What a backing regular file holds, told by its first bytes.</summary>
public enum StoredForm
{
    /// <summary>Zero bytes: an empty file either way (a Layered file whose header was never written reads as empty).</summary>
    Empty,
    /// <summary>Starts with the Layered header magic.</summary>
    Layered,
    /// <summary>Non-empty and without the magic: a file not (yet) encrypted.</summary>
    Plaintext,
}

public static class StoredForms
{
    /// <summary>Reads the first bytes of <paramref name="file"/> to tell its form.</summary>
    public static StoredForm Probe(IBackingFile file)
    {
        Span<byte> head = stackalloc byte[HeaderCodec.Magic.Length];
        int n = Volume.ReadFully(file, 0, head);
        if (n == 0)
            return StoredForm.Empty;
        return HeaderCodec.HasMagic(head[..n]) ? StoredForm.Layered : StoredForm.Plaintext;
    }

    public static StoredForm Probe(IBackingStore store, string storePath)
    {
        using var file = store.OpenFile(storePath, BackingOpenMode.OpenRead);
        return Probe(file);
    }
}
