namespace Layered.Journal;

/// <summary>
/// Test-only fault injection, reachable through <see cref="JournalOptions.FaultHooks"/> from the test assembly
/// (internal). Holding device writes makes a commit unable to finish, which is how the tests prove that the
/// commit watchdog fires instead of letting a caller wait forever.
/// </summary>
internal sealed class JournalFaultHooks
{
    private readonly ManualResetEventSlim _writesReleased = new(initialState: true);

    /// <summary>From now on every device write blocks until <see cref="ReleaseDeviceWrites"/>.</summary>
    public void HoldDeviceWrites() => _writesReleased.Reset();

    public void ReleaseDeviceWrites() => _writesReleased.Set();

    internal void BeforeDeviceWrite() => _writesReleased.Wait();

    /// <summary>True while writes are held (they then never run on a committing thread).</summary>
    internal bool WritesHeld => !_writesReleased.IsSet;
}
