using Layered.Crypto;

namespace Layered.Crypto.Tests;

/// <summary>
/// Writes and reads a whole encrypted file on disk the way the engine does (header at 0, then the chunks
/// below VDL), so tamper tests work on real files with real offsets.
/// </summary>
internal static class StoredFile
{
    public static FileHeader Write(Vault vault, string path, ReadOnlySpan<byte> content, FileId? id = null, long? eof = null)
    {
        var header = new FileHeader(id ?? FileId.NewRandom(), eof ?? content.Length, content.Length, 7, HeaderFlags.None);
        var layout = vault.Layout;
        var bytes = new byte[layout.StoredLengthFor(content.Length)];
        vault.Headers.Encode(header, bytes);
        using (var cipher = vault.OpenFileCipher(header.FileId))
            cipher.EncryptChunks(0, content, bytes.AsSpan(layout.HeaderSize));
        File.WriteAllBytes(path, bytes);
        return header;
    }

    /// <summary>Reads the plaintext view: VDL bytes decrypted, then zeros up to EOF.</summary>
    public static byte[] Read(Vault vault, string path)
    {
        byte[] stored = File.ReadAllBytes(path);
        FileHeader header = vault.Headers.Decode(stored, path);
        var layout = vault.Layout;
        layout.EnsureStoredLengthCovers(stored.Length, header.Vdl, path);
        var plain = new byte[header.Eof];
        int storedBody = checked((int)(layout.StoredLengthFor(header.Vdl) - layout.HeaderSize));
        using var cipher = vault.OpenFileCipher(header.FileId);
        cipher.DecryptChunks(0, stored.AsSpan(layout.HeaderSize, storedBody), plain.AsSpan(0, (int)header.Vdl), path);
        return plain;
    }

    public static byte[] RandomContent(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
