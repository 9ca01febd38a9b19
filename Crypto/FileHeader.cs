namespace Layered.Crypto;

/// <summary>
/// The authenticated per-file header, stored at offset 0 of every encrypted file.
/// <paramref name="Eof"/>: logical end of file. <paramref name="Vdl"/>: valid data length; chunks at or beyond
/// it are not stored and read as zeros (0 &lt;= Vdl &lt;= Eof). <paramref name="AppliedLsn"/>: the LSN of the
/// last journal record applied to this file (0 = none), so replay can skip what is already there.
/// </summary>
public readonly record struct FileHeader(FileId FileId, long Eof, long Vdl, long AppliedLsn, HeaderFlags Flags)
{
    /// <summary>Stored size in bytes: 64 bytes of fields and a 32-byte HMAC-SHA256 (docs/format.md).</summary>
    public const int Size = 96;

    /// <summary>A fresh empty file: new random id, nothing stored yet.</summary>
    public static FileHeader NewEmpty(HeaderFlags flags = HeaderFlags.None) => new(FileId.NewRandom(), 0, 0, 0, flags);
}
