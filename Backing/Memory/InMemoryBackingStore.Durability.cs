using Layered.Backing.Memory;

namespace Layered.Backing;

public sealed partial class InMemoryBackingStore
{
    /// <summary>The in-memory store always offers the whole-store flush, so the engine's batched checkpoint runs
    /// on it (and, through the recorder, under the crash harness) as it does on the real folder.</summary>
    public bool CanSyncAll => true;

    /// <summary>
    /// syncfs: everything reachable from the root becomes durable as it is now — each directory's names and
    /// attributes (as <see cref="SyncDirectory"/>), each file's bytes, size and attributes (as an fsync). Nodes no
    /// name reaches (unlinked, perhaps still open) need nothing: no name leads to them after a power cut.
    /// </summary>
    public void SyncAll()
    {
        lock (_gate)
        {
            var visited = new HashSet<MemoryNode>(ReferenceEqualityComparer.Instance) { _root };
            var pending = new Stack<MemoryDirectory>();
            pending.Push(_root);
            while (pending.TryPop(out var directory))
            {
                directory.DurableChildren = new Dictionary<string, MemoryNode>(directory.Children, StringComparer.Ordinal);
                directory.DurableAttributes.CopyFrom(directory.Attributes);
                foreach (var child in directory.Children.Values)
                {
                    if (!visited.Add(child))
                    {
                        continue; // another hard link of a file already flushed
                    }
                    if (child is MemoryDirectory subdirectory)
                    {
                        pending.Push(subdirectory);
                    }
                    else if (child is MemoryFile file)
                    {
                        FlushFile(file);
                    }
                }
            }
        }
    }

    /// <summary>
    /// What a power cut right now would leave, as a new store (same options; inode numbers kept).
    /// The model is the strict POSIX one, a lower bound of what ext4 (data=ordered) keeps:
    /// <list type="bullet">
    /// <item>A name exists after the cut only if it was in its directory at that directory's last
    /// <see cref="SyncDirectory"/>. Creates, unlinks and renames after it are lost. A rename between
    /// two directories is durable in each one separately (sync both), unlike ext4's journal, which
    /// commits both halves together; a file may so come back under both names or neither.</item>
    /// <item>A file's bytes and size are those of its last <see cref="IBackingFile.Flush"/>: a file never
    /// flushed comes back empty (what ext4's delayed allocation leaves), and every write since the last
    /// flush is lost. Which partial subsets of unflushed writes could also survive is not modelled here;
    /// the crash-state generator explores those from a recording.</item>
    /// <item>A node's attributes (mode, owner, times, xattrs) are those of its last durability point:
    /// creation, fsync for a file, SyncDirectory for a directory.</item>
    /// <item><see cref="SyncAll"/> is a durability point of every node a name reaches: a file fsynced, a
    /// directory synced.</item>
    /// <item>Link counts are recomputed from the names that survive; nodes no surviving name reaches are
    /// gone. A directory reachable under two names (possible when syncs of different times combine) is
    /// kept under the first one found, visiting names in ordinal order from the root.</item>
    /// <item>Locks and open handles do not survive.</item>
    /// </list>
    /// </summary>
    public InMemoryBackingStore CloneDurableState()
    {
        lock (_gate)
        {
            var clone = new InMemoryBackingStore(_options) { _nextInode = _nextInode };
            clone._root.Attributes.CopyFrom(_root.DurableAttributes);
            clone._root.DurableAttributes = _root.DurableAttributes.Copy();
            var clones = new Dictionary<MemoryNode, MemoryNode>(ReferenceEqualityComparer.Instance) { [_root] = clone._root };
            var pending = new Queue<(MemoryDirectory Original, MemoryDirectory Copy)>();
            pending.Enqueue((_root, clone._root));
            while (pending.Count > 0)
            {
                var (original, copy) = pending.Dequeue();
                foreach (var (name, child) in original.DurableChildren.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    if (clones.TryGetValue(child, out var existing))
                    {
                        if (existing is MemoryFile)
                        {
                            copy.Children.Add(name, existing); // another hard link
                            existing.Links++;
                        }
                        continue;
                    }
                    MemoryNode childCopy;
                    if (child is MemoryDirectory directory)
                    {
                        var directoryCopy = new MemoryDirectory(child.Inode, child.DurableAttributes.Copy());
                        pending.Enqueue((directory, directoryCopy));
                        childCopy = directoryCopy;
                    }
                    else
                    {
                        var file = (MemoryFile)child;
                        var fileCopy = new MemoryFile(child.Inode, child.DurableAttributes.Copy());
                        var content = file.DurableContent();
                        fileCopy.SetContent(content);
                        clone._usedBytes += content.Length;
                        childCopy = fileCopy;
                    }
                    clones.Add(child, childCopy);
                    copy.Children.Add(name, childCopy);
                    childCopy.Links++;
                }
                // Everything in the clone is durable: a second cut leaves the same state.
                copy.DurableChildren = new Dictionary<string, MemoryNode>(copy.Children, StringComparer.Ordinal);
            }
            return clone;
        }
    }
}
