namespace Layered.Journal;

/// <summary>The journal's files are damaged or inconsistent. Names the file and, when known, the LSN.
/// Nothing is overwritten when this is thrown: the journal refuses to open or to replay past the damage.</summary>
public sealed class JournalCorruptException : IOException
{
    public JournalCorruptException(string file, long lsn, string message, Exception? inner = null)
        : base(lsn >= 0 ? $"Journal corrupt in '{file}' at LSN {lsn}: {message}" : $"Journal corrupt in '{file}': {message}", inner)
    {
        File = file;
        Lsn = lsn;
    }

    /// <summary>The journal file concerned (store-relative path).</summary>
    public string File { get; }

    /// <summary>The LSN of the damaged record, or -1 when the damage is not in a record.</summary>
    public long Lsn { get; }
}

/// <summary>There is no journal in the given directory.</summary>
public sealed class JournalNotFoundException : IOException
{
    public JournalNotFoundException(string directory, string message)
        : base($"{message}: '{directory}'")
    {
        Directory = directory;
    }

    public string Directory { get; }
}

/// <summary>A commit did not become durable within <see cref="JournalOptions.CommitWatchdogTimeout"/>, even after
/// the watchdog nudged FasterLog. The journal is failed: every later commit throws too; reopen it.</summary>
public sealed class JournalStallException : IOException
{
    public JournalStallException(long lsn, TimeSpan waited, Exception? inner = null)
        : base($"Journal commit up to LSN {lsn} did not complete within {waited.TotalMilliseconds:0} ms", inner)
    {
        Lsn = lsn;
        Waited = waited;
    }

    /// <summary>The commit point that could not be reached.</summary>
    public long Lsn { get; }

    /// <summary>How long the watchdog waited before giving up.</summary>
    public TimeSpan Waited { get; }
}

/// <summary>An encoded record failed to decode: bad CRC, unknown kind or version, truncated or malformed
/// fields. The journal turns this into a <see cref="JournalCorruptException"/> naming the LSN.</summary>
public sealed class JournalRecordFormatException : FormatException
{
    public JournalRecordFormatException(string message) : base(message) { }
}
