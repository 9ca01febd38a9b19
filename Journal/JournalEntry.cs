namespace Layered.Journal;

/// <summary>One replayed record: its LSN (place in the total order), its sequence number and the record.</summary>
public readonly record struct JournalEntry(long Lsn, long Sequence, JournalRecord Record);

/// <summary>
/// A damaged end of the log that was dropped instead of replayed: the bytes from <paramref name="FromLsn"/> to the
/// commit point. Only damage within the last commit's region (the sectors FasterLog rewrites on every commit)
/// counts as a torn tail; damage earlier stops replay with <see cref="JournalCorruptException"/>.
/// </summary>
/// <param name="FromLsn">Where the first damaged or missing record starts.</param>
/// <param name="DroppedBytes">Bytes of the log from <paramref name="FromLsn"/> to the commit point.</param>
/// <param name="LastGoodSequence">Sequence number of the last intact record before the damage (0 when none).</param>
/// <param name="Reason">What was wrong, for the recovery report.</param>
public sealed record TornTail(long FromLsn, long DroppedBytes, long LastGoodSequence, string Reason);
