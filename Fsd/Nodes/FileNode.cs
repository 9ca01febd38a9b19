using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd.Data;
using Layered.Fsd.Locking;

namespace Layered.Fsd.Nodes;

/// <summary>
/// The one in-memory object for an open file, directory or symlink, shared by all its handles and keyed by the
/// backing object's identity (inode), so that hard links share it. It lives while it has handles, and after the
/// last close for as long as it holds state not yet checkpointed (sizes, unsynced data): then the node table is
/// also the cache that answers stat for it.
///
/// Locking: <see cref="Sync"/> (the node's monitor) guards sizes, counts, the delete disposition and the chunk
/// range table; <see cref="Path"/> is guarded by the namespace locks (changed only by renames and unlinks,
/// which hold the exclusive lock of the directory it is in).
/// </summary>
internal sealed class FileNode
{
    public FileNode(ulong inode, NodeType type, string path)
    {
        Inode = inode;
        Type = type;
        Path = path;
    }

    public object Sync => this;
    public ulong Inode { get; }
    public NodeType Type { get; }

    /// <summary>A store path naming this object now (one of its hard links, or its orphan name after an unlink
    /// while open); null once a directory was removed while open.</summary>
    public string? Path { get; set; }

    /// <summary>True while <see cref="Path"/> is a name in the orphan area.</summary>
    public bool IsOrphan { get; set; }

    // ---- state guarded by Sync ----
    public int HandleCount;
    /// <summary>Handles not yet cleaned up (NT: the delete disposition is acted on when this reaches 0).</summary>
    public int OpenCount;
    public bool DeletePending;
    /// <summary>Set once the last cleanup deleted the name: later opens must not find this node.</summary>
    public bool Deleted;

    public FileId FileId;
    public HeaderFlags Flags;
    public long Eof;
    /// <summary>Every chunk below VDL is stored and authenticates; bytes at or beyond it read as zeros.</summary>
    public long Vdl;
    /// <summary>LSN of the last size record of this file (becomes the header's AppliedLsn at checkpoint).</summary>
    public long SizeLsn;
    /// <summary>LSN of the last journal record about this file (fsync commits the journal up to it).</summary>
    public long LastLsn;
    /// <summary>Bumped by every change that a checkpoint must make durable.</summary>
    public long ModCount;
    /// <summary>ModCount as of the last header write that made it durable.</summary>
    public long CheckpointedModCount;
    /// <summary>The header on disk does not exist yet (a zero-length backing file is an empty file).</summary>
    public bool HeaderMissing;
    public long AllocationHint;
    /// <summary>The file's last write time as the user sees it; restored on the backing file after the engine's
    /// own header writes, which would otherwise move it.</summary>
    public DateTime? LastWriteUtc;
    /// <summary>NT attributes and creation time (loaded when the volume keeps NT metadata).</summary>
    public NtAttributes NtAttributes;
    public DateTime? CreationUtc;
    public bool NtLoaded;
    /// <summary>The directory entry naming this node is known durable (its directory was fsynced since the node
    /// was created or renamed), so fsync need not sync the directory again.</summary>
    public bool NameDurable;

    public IBackingFile? File;
    private FileCipher? _cipher;
    public readonly ChunkRangeLocks Ranges = new();
    /// <summary>Writes stored beyond VDL with a gap below them, not valid yet (guarded by Sync); null until the
    /// first such write.</summary>
    public WrittenAhead? Ahead;
    /// <summary>EOF when the first of the current written-ahead ranges was kept (guarded by Sync).</summary>
    public long EofBeforeAhead;

    /// <summary>A node whose state is not all in its header yet, or that keeps written-ahead ranges (which only a
    /// settle makes durable), must stay in memory.</summary>
    public bool IsDirty => ModCount != CheckpointedModCount || Ahead is { Count: > 0 };

    /// <summary>The EOF journal records carry: what the file's size is without the written-ahead ranges not valid
    /// yet (their sizes are journaled when they become valid, so a crash never shows one's size without its data).
    /// Guarded by Sync.</summary>
    public long JournaledEof => Ahead is { Count: > 0 } ? Math.Max(EofBeforeAhead, Vdl) : Eof;

    /// <summary>The file's chunk cipher, made on first data access rather than when the node is made: deriving a
    /// file key (an HKDF expansion into a slot of the vault's locked key arena) is work stat, rename and unlink never
    /// need. Safe for concurrent first use: the loser of the race disposes its copy.</summary>
    public FileCipher CipherFor(Vault vault)
    {
        var cipher = Volatile.Read(ref _cipher);
        if (cipher is not null)
            return cipher;
        var made = vault.OpenFileCipher(FileId);
        var prior = Interlocked.CompareExchange(ref _cipher, made, null);
        if (prior is null)
            return made;
        made.Dispose();
        return prior;
    }

    /// <summary>Releases the key once the node is dropped (no handle, no I/O left on it).</summary>
    public void DisposeCipher() => Interlocked.Exchange(ref _cipher, null)?.Dispose();

    public override string ToString() => $"{Type} inode {Inode} at '/{Path}'";
}
