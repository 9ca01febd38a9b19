using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Layered.Crash.Tests")]

namespace Layered.Fsd;

/// <summary>
/// Mutations for the crash harness's self-check: with one redo kind or one checkpoint flush taken away, the harness
/// must report violations, which proves it can fail. Never set outside tests.
/// </summary>
internal sealed class RecoveryTestSwitches
{
    /// <summary>Do not redo chunk images from the journal.</summary>
    public bool SkipChunkImageRedo { get; init; }

    /// <summary>Do not apply journaled sizes newer than the header (keep the header's EOF and VDL).</summary>
    public bool SkipSizeRedo { get; init; }

    /// <summary>A batched checkpoint skips its first store flush, so headers may become durable before the data they
    /// claim.</summary>
    public bool SkipBatchedDataFlush { get; init; }
}
