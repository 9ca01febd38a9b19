using Layered.Backing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Journal.Tests;

/// <summary>A real folder under /tmp with a <see cref="DirectoryBackingStore"/> on it; deleted on dispose.</summary>
internal sealed class TempJournalFolder : IDisposable
{
    public const string JournalDirectory = ".layered/journal";

    public TempJournalFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "layered-journal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Store = new DirectoryBackingStore(Root);
    }

    public string Root { get; }

    public DirectoryBackingStore Store { get; }

    public string JournalPath => Path.Combine(Root, ".layered", "journal");

    public static ILogger Logger => NullLogger.Instance;

    /// <summary>Small pages and segments, so tests cross pages and segments quickly.</summary>
    public static JournalOptions SmallOptions => new()
    {
        PageSizeBits = 16,      // 64 KiB
        SegmentSizeBits = 17,   // 128 KiB
        MemorySizeBits = 20,    // 1 MiB
        AutoCommitInterval = TimeSpan.Zero,
    };

    /// <summary><see cref="SmallOptions"/> with device writes under the test's control, and a watchdog timeout.</summary>
    public static JournalOptions SmallOptionsWithHooks(JournalFaultHooks hooks, TimeSpan? watchdogTimeout = null)
    {
        var small = SmallOptions;
        return new JournalOptions
        {
            PageSizeBits = small.PageSizeBits, SegmentSizeBits = small.SegmentSizeBits, MemorySizeBits = small.MemorySizeBits,
            AutoCommitInterval = TimeSpan.Zero,
            CommitWatchdogTimeout = watchdogTimeout ?? new JournalOptions().CommitWatchdogTimeout,
            FaultHooks = hooks,
        };
    }

    public WriteAheadJournal Create(JournalOptions? options = null) =>
        WriteAheadJournal.Create(Store, JournalDirectory, options ?? SmallOptions, Logger);

    public WriteAheadJournal Open(JournalOptions? options = null) =>
        WriteAheadJournal.Open(Store, JournalDirectory, options ?? SmallOptions, Logger);

    public string FilePath(string name) => Path.Combine(JournalPath, name);

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be exiting; /tmp is cleaned eventually.
        }
    }
}
