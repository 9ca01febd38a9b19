namespace Layered.Backing;

/// <summary>Bounds for <see cref="CrashStateGenerator"/>. The default is a bounded sample for the normal test
/// run; <see cref="Exhaustive"/> gives the large set for an explicit run.</summary>
public sealed record CrashStateOptions
{
    /// <summary>Seed of every random choice, so a failing state can be rebuilt.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Every prefix, every sector tear of every write, and <see cref="WeakStatesPerCut"/> × 4 samples.</summary>
    public bool Exhaustive { get; init; }

    /// <summary>Bounded mode: cuts between durability points sampled in addition to the cuts at them.</summary>
    public int MaxIntermediateCuts { get; init; } = 16;

    /// <summary>Shuffled drop/reorder samples at each durability point and at the end.</summary>
    public int WeakStatesPerCut { get; init; } = 2;

    /// <summary>Bounded mode: writes chosen to be torn; each gets its first and last sector boundary.</summary>
    public int MaxTornWrites { get; init; } = 8;

    /// <summary>Granularity at which a device may tear a write (512 B sectors; 4096 for 4Kn disks).</summary>
    public int SectorSize { get; init; } = 512;

    /// <summary>Cap on the number of states produced.</summary>
    public int MaxStates { get; init; } = 10_000;
}
