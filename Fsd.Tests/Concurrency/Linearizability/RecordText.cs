using Layered.Journal;

namespace Layered.Concurrency.Tests.Linearizability;

/// <summary>A record as a short line that names what the checker compares (kind, file id, paths, sizes, mode).
/// Records holding arrays compare by reference, so the checker compares these lines instead.</summary>
public static class RecordText
{
    public static string Describe(JournalRecord r) => r switch
    {
        CreateRecord c => $"Create({c.Path}, id {Id(c.FileId)}, mode {Convert.ToString(c.Mode & 0x1FF, 8)})",
        RenameRecord n => $"Rename({n.FromPath}->{n.ToPath}, id {Id(n.FileId)}, replaced {Id(n.ReplacedFileId)})",
        RemoveRecord m => $"Remove({m.Path}, id {Id(m.FileId)})",
        LinkRecord l => $"Link({l.ExistingPath}->{l.NewPath}, id {Id(l.FileId)})",
        OrphanRecord o => $"Orphan({o.Path}->{o.OrphanPath}, id {Id(o.FileId)})",
        OrphanFreedRecord f => $"OrphanFreed({f.OrphanPath}, id {Id(f.FileId)})",
        SetSizeRecord s => $"SetSize(id {Id(s.FileId)}, eof {s.Eof}, vdl {s.Vdl})",
        SetAttributesRecord a => $"SetAttributes({a.Path}, mode {Convert.ToString(a.Mode & 0x1FF, 8)})",
        ChunkImageRecord i => $"ChunkImage(id {Id(i.FileId)}, chunk {i.ChunkIndex}, eof {i.Eof}, vdl {i.Vdl})",
        _ => r.GetType().Name,
    };

    /// <summary>File ids are random 128-bit numbers: the low 24 bits tell them apart in a report.</summary>
    public static string Id(UInt128 id) => id == 0 ? "0" : ((ulong)(id & 0xFFFFFF)).ToString("x6");
}
