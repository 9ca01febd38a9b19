using Layered.Journal;

namespace Layered.Fsd;

/// <summary>What recovery did: printed by `layered recover`, logged at every mount.</summary>
public sealed record RecoveryReport(
    long RecordsReplayed,
    int FilesRepaired,
    int OrphansFreed,
    int TemporariesRemoved,
    TornTail? TornTail,
    IReadOnlyList<string> Damaged)
{
    public static readonly RecoveryReport Empty = new(0, 0, 0, 0, null, []);

    /// <summary>True when the vault is consistent afterwards (no damage recovery could not repair).</summary>
    public bool Clean => Damaged.Count == 0;

    public override string ToString() =>
        $"{RecordsReplayed} journal records replayed, {FilesRepaired} files brought up to date, {OrphansFreed} orphans freed, " +
        $"{TemporariesRemoved} temporaries removed" +
        (TornTail is null ? "" : $", torn journal tail dropped at LSN {TornTail.FromLsn} ({TornTail.DroppedBytes} bytes: {TornTail.Reason})") +
        (Damaged.Count == 0 ? "" : $", {Damaged.Count} damaged: {string.Join("; ", Damaged)}");
}
