namespace Layered.Journal;

/// <summary>The kind byte of an encoded record. Values are part of the on-disk format: never renumber.</summary>
internal enum RecordKind : byte
{
    Create = 1,
    Rename = 2,
    Remove = 3,
    Link = 4,
    Orphan = 5,
    OrphanFreed = 6,
    SetSize = 7,
    SetAttributes = 8,
    SetSecurity = 9,
    SetXattr = 10,
    ChunkImage = 11,
    Checkpoint = 12,
}
