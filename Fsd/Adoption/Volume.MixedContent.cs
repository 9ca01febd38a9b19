using Layered.Backing;

namespace Layered.Fsd;

// While a folder is being adopted (or decrypted), its files are a mix of Layered files and plaintext files. A marker
// in the vault's own folder says so; only then is a file without the header magic served as a plaintext file (and
// converted when first opened). Without the marker such a file is damage, never silently trusted plaintext.
public sealed partial class Volume
{
    /// <summary>Present while some files of the vault may still be plaintext (adoption or decryption in progress).</summary>
    internal const string MixedContentMarker = MetaDirectory + "/" + MixedContentMarkerName;

    /// <summary>File name of the mixed-content marker inside the vault's own folder.</summary>
    public const string MixedContentMarkerName = "adopting";

    /// <summary>Hard-link groups being converted: one extra name of the converted file per group, keyed by the
    /// original's identity, so the remaining names of the group are linked to it, even after a crash.</summary>
    internal const string AdoptLinksDirectory = MetaDirectory + "/adopt-links";
    internal const string DecryptLinksDirectory = MetaDirectory + "/decrypt-links";

    private int _mixedContent = -1; // -1: not read yet; 0: no; 1: yes

    /// <summary>True while files of this vault may still be plaintext (see <see cref="BeginMixedContent"/>).</summary>
    public bool MixedContent
    {
        get
        {
            int state = Volatile.Read(ref _mixedContent);
            if (state < 0)
            {
                state = Store.TryGetEntry(MixedContentMarker) is not null ? 1 : 0;
                Interlocked.CompareExchange(ref _mixedContent, state, -1);
            }
            return state == 1;
        }
    }

    /// <summary>Records durably that plaintext files may be present (before the first one is adopted or decrypted).</summary>
    public void BeginMixedContent()
    {
        CheckWritable("");
        if (Store.TryGetEntry(MixedContentMarker) is null)
        {
            using (var marker = Store.OpenFile(MixedContentMarker, BackingOpenMode.CreateNew))
                marker.Flush();
            Store.SyncDirectory(MetaDirectory);
        }
        Volatile.Write(ref _mixedContent, 1);
    }

    /// <summary>Every file is a Layered file again: the marker and the link-group folders go.</summary>
    public void EndMixedContent()
    {
        CheckWritable("");
        Volatile.Write(ref _mixedContent, 0);
        foreach (var dir in new[] { AdoptLinksDirectory, DecryptLinksDirectory })
            RemoveLinkFolder(dir);
        if (Store.TryGetEntry(MixedContentMarker) is not null)
            Store.DeleteFile(MixedContentMarker);
        Store.SyncDirectory(MetaDirectory);
    }

    private void RemoveLinkFolder(string dir)
    {
        if (Store.TryGetEntry(dir) is null)
            return;
        foreach (var e in Store.ListDirectory(dir))
            Store.DeleteFile(dir + "/" + e.Name);
        Store.DeleteDirectory(dir);
    }
}
