using Layered.Backing;
using Layered.Crypto;
using Microsoft.Extensions.Logging;

namespace Layered.Fsd;

// Convert-on-open: while a folder is being adopted, the first open of a plaintext file through the mount encrypts it
// in place before its node is made, so every node the engine serves is a Layered file and the data path needs no
// second format. Runs under the shared lock of the file's directory and the node table's monitor: a second open of
// the same name waits on the monitor, then finds the converted file (a new backing object) and its node.
public sealed partial class Volume
{
    /// <summary>Returns the entry to make the node for: the converted file's when <paramref name="entry"/> was a
    /// plaintext file, the current one when another open converted it meanwhile. Caller holds <see cref="Nodes"/>.Sync.</summary>
    internal BackingEntry ConvertOnOpenLocked(string storePath, BackingEntry entry)
    {
        var current = Store.TryGetEntry(storePath) ?? throw new FsException(FsStatus.NotFound, storePath, "The file was removed");
        if (current.Inode != entry.Inode || current.Kind != BackingEntryKind.File)
            return current;
        if (StoredForms.Probe(Store, storePath) != StoredForm.Plaintext)
            return current;
        if (ReadOnly)
            throw new FsException(FsStatus.ReadOnlyVolume, storePath, "The file is not encrypted yet and the volume is read-only; adopt the folder first");
        // One name of a hard-link group: the converted file keeps a name under the group's key, so the adoption
        // links the group's other names to it instead of making separate copies. The key is looked up whatever the
        // link count (the group's last unconverted name has a count of one).
        BackingEntry converted;
        var key = GroupKey(AdoptLinksDirectory, current);
        if (Store.TryGetEntry(key) is not null)
        {
            FileId id;
            using (var keyFile = Store.OpenFile(key, BackingOpenMode.OpenRead))
                id = ReadHeader(keyFile, key, out _).FileId;
            converted = RelinkToConvertedLocked(storePath, storePath, current, key, id.ToUInt128());
        }
        else
        {
            converted = EncryptInPlaceLocked(storePath, storePath, current, null, current.LinkCount > 1 ? key : null);
        }
        Log.LogInformation("Encrypted '/{Path}' on first open ({Bytes} bytes)", storePath, current.Length);
        return converted;
    }
}
