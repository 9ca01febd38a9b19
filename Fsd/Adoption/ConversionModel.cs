using Layered.Backing;

namespace Layered.Fsd;

/// <summary>Which way a folder is converted: plaintext files encrypted (adoption) or Layered files decrypted (leaving).</summary>
public enum ConversionDirection { Encrypt, Decrypt }

/// <summary>Where a conversion is: files and bytes done of the totals found when it started.</summary>
public readonly record struct ConversionProgress(long FilesDone, long FilesTotal, long BytesDone, long BytesTotal, TimeSpan Elapsed);

/// <summary>A file left as it was, and why (named by its path in the vault, with a leading '/').</summary>
public sealed record ConversionFailure(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>What remains to convert in one direction, and what cannot be converted at all.</summary>
public sealed record ConversionSurvey(IReadOnlyList<ConversionItem> Items, long Bytes, IReadOnlyList<ConversionFailure> Unconvertible,
    IReadOnlyList<ConversionItem> Directories)
{
    public int Files => Items.Count;
}

/// <summary>One name to convert: its plaintext path, store path and what lstat said when it was found.</summary>
public sealed record ConversionItem(string PlainPath, string StorePath, BackingEntry Entry);

/// <summary>The outcome of one run. <see cref="Complete"/> when nothing was left over.</summary>
public sealed record ConversionResult(long FilesConverted, long BytesConverted, IReadOnlyList<ConversionFailure> Failures, bool Cancelled)
{
    public bool Complete => Failures.Count == 0 && !Cancelled;
}

/// <summary>An encrypted copy of a plaintext file, written under .layered/tmp and not yet in place of its original;
/// with the original still open when asked (see <see cref="Volume.WriteEncryptedCopy"/>).</summary>
internal readonly record struct EncryptedCopy(string TempPath, Layered.Crypto.FileId Id, long PlainLength, IBackingFile? Original);

/// <summary>What became of an encrypted copy when it was to replace its original.</summary>
internal enum CopyOutcome
{
    /// <summary>The copy now holds the original's name.</summary>
    Replaced,
    /// <summary>The name no longer holds the original (removed, renamed, converted on open): nothing to do.</summary>
    Gone,
    /// <summary>The original is the last name of a hard-link group whose converted file exists: relink it instead.</summary>
    LinkGroup,
}
