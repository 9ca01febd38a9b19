using Layered.Backing;
using Layered.Crypto;
using Layered.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Fsd;

/// <summary>Everything a volume is mounted with.</summary>
public sealed class VolumeOptions
{
    /// <summary>The backing folder (the vault root).</summary>
    public required IBackingStore Store { get; init; }

    /// <summary>The unlocked vault (keys and layout). The volume does not dispose it.</summary>
    public required Vault Vault { get; init; }

    public JournalOptions Journal { get; init; } = new();
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
    public bool ReadOnly { get; init; }
    public INameTransform Names { get; init; } = new PlainNameTransform();

    /// <summary>Keep NT attributes and creation times (the WinFsp host needs them; FUSE derives them).</summary>
    public bool NtMetadata { get; init; }

    /// <summary>How many closed nodes with state not yet checkpointed may be kept before a checkpoint runs.</summary>
    public int MaxRetainedDirtyNodes { get; init; } = 1024;

    /// <summary>Background checkpoint period; zero disables the timer (systematic tests drive checkpoints).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Journal bytes appended since the last checkpoint beyond which a background checkpoint runs. Without it
    /// the journal grows for a whole <see cref="CheckpointInterval"/>: every overwrite of a stored chunk journals the
    /// chunk's image, so 4 KiB random writes appended tens of MiB a second, and replay after a crash reads all of it.
    /// Zero turns the bound off.</summary>
    public long JournalCheckpointBytes { get; init; } = 64L << 20;

    /// <summary>The clock for times the engine sets (tests may fix it).</summary>
    public Func<DateTime> UtcNow { get; init; } = () => DateTime.UtcNow;

    /// <summary>Overwrites of stored chunks go through the journal (redo image committed before the in-place write),
    /// so a crash never leaves a torn chunk. Off only to measure what it costs (docs/benchmarks.md).</summary>
    public bool AtomicChunkRewrites { get; init; } = true;

    /// <summary>Recovery behaviour that the crash harness turns off to prove it detects the damage.</summary>
    internal RecoveryTestSwitches RecoverySwitches { get; init; } = new();

    public EngineTestSwitches TestSwitches { get; init; } = new();
}
