namespace Layered.Fuse.Tests;

/// <summary>Waits for what happens asynchronously (RELEASE after close(2), the orphan it frees, a lock another process
/// takes); callers assert the outcome themselves, so a failure names what was not reached. The Cli tests link it.</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="seconds"/> pass; its last value.</summary>
    public static bool Reached(Func<bool> condition, double seconds = 10)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow >= until)
                return condition();
            Thread.Sleep(5);
        }
        return true;
    }
}
