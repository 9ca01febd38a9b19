using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

/// <summary>Every tamper class of issue #2 on a real stored file: detected, reported with the file and chunk, never returned as data.</summary>
[Trait("Area", "Crypto")]
public sealed class TamperTests : IDisposable
{
    private const int Length = 4 * 4096 + 1000; // four full chunks and a short fifth
    private readonly TempVault _temp = new();
    private readonly string _path;
    private readonly byte[] _content = StoredFile.RandomContent(Length, 42);

    public TamperTests()
    {
        _path = _temp.FilePath("victim.bin");
        StoredFile.Write(_temp.Vault, _path, _content);
    }

    private ChunkLayout Layout => _temp.Vault.Layout;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Untampered_file_reads_back()
    {
        Assert.Equal(_content, StoredFile.Read(_temp.Vault, _path));
    }

    [Theory]
    [InlineData(0, 0)]        // nonce
    [InlineData(0, 64)]       // ciphertext
    [InlineData(2, 4159)]     // tag (last byte of a full stored chunk)
    [InlineData(4, 500)]      // inside the short last chunk
    public void A_flipped_bit_in_a_chunk_names_that_chunk(int chunk, int offsetInStoredChunk)
    {
        byte[] stored = File.ReadAllBytes(_path);
        stored[Layout.StoredOffsetOf(chunk) + offsetInStoredChunk] ^= 0x10;
        File.WriteAllBytes(_path, stored);
        var error = Assert.Throws<ChunkAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(chunk, error.ChunkIndex);
        Assert.Equal(_path, error.FileName);
        Assert.Contains(_path, error.Message);
    }

    [Fact]
    public void Every_bit_of_the_stored_file_is_covered()
    {
        byte[] original = File.ReadAllBytes(_path);
        var rng = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            byte[] stored = (byte[])original.Clone();
            int position = rng.Next(stored.Length);
            stored[position] ^= (byte)(1 << rng.Next(8));
            File.WriteAllBytes(_path, stored);
            Assert.ThrowsAny<IntegrityException>(() => StoredFile.Read(_temp.Vault, _path));
        }
    }

    [Fact]
    public void Two_swapped_chunks_are_detected()
    {
        byte[] stored = File.ReadAllBytes(_path);
        int size = Layout.StoredChunkSize;
        var first = stored.AsSpan((int)Layout.StoredOffsetOf(1), size).ToArray();
        stored.AsSpan((int)Layout.StoredOffsetOf(2), size).CopyTo(stored.AsSpan((int)Layout.StoredOffsetOf(1)));
        first.CopyTo(stored.AsSpan((int)Layout.StoredOffsetOf(2)));
        File.WriteAllBytes(_path, stored);
        var error = Assert.Throws<ChunkAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(1, error.ChunkIndex);
    }

    [Fact]
    public void A_chunk_copied_from_another_file_is_detected()
    {
        string otherPath = _temp.FilePath("other.bin");
        StoredFile.Write(_temp.Vault, otherPath, StoredFile.RandomContent(Length, 43));
        CopyChunk(otherPath, _path, 3);
        var error = Assert.Throws<ChunkAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(3, error.ChunkIndex);
    }

    [Fact]
    public void A_chunk_copied_from_another_vault_is_detected_even_with_the_same_file_id()
    {
        using var otherVault = new TempVault();
        FileHeader mine = _temp.Vault.Headers.Decode(File.ReadAllBytes(_path), _path);
        string otherPath = otherVault.FilePath("twin.bin");
        StoredFile.Write(otherVault.Vault, otherPath, StoredFile.RandomContent(Length, 44), mine.FileId);
        CopyChunk(otherPath, _path, 1);
        var error = Assert.Throws<ChunkAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(1, error.ChunkIndex);
    }

    [Fact]
    public void A_truncated_last_chunk_is_detected()
    {
        byte[] stored = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, stored.AsSpan(0, stored.Length - 1).ToArray());
        var error = Assert.Throws<ChunkAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(4, error.ChunkIndex);
    }

    [Fact]
    public void A_file_cut_at_a_chunk_boundary_is_detected_although_every_remaining_chunk_is_intact()
    {
        byte[] stored = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, stored.AsSpan(0, (int)Layout.StoredOffsetOf(2)).ToArray());
        var error = Assert.Throws<ChunkAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(2, error.ChunkIndex);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_header_from_another_file_fails_at_the_first_chunk()
    {
        string otherPath = _temp.FilePath("other.bin");
        StoredFile.Write(_temp.Vault, otherPath, StoredFile.RandomContent(Length, 45));
        byte[] stored = File.ReadAllBytes(_path);
        File.ReadAllBytes(otherPath).AsSpan(0, FileHeader.Size).CopyTo(stored);
        File.WriteAllBytes(_path, stored);
        var error = Assert.Throws<ChunkAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(0, error.ChunkIndex);
    }

    [Fact]
    public void A_header_from_another_vault_fails_authentication()
    {
        using var otherVault = new TempVault();
        string otherPath = otherVault.FilePath("x.bin");
        StoredFile.Write(otherVault.Vault, otherPath, _content);
        byte[] stored = File.ReadAllBytes(_path);
        File.ReadAllBytes(otherPath).AsSpan(0, FileHeader.Size).CopyTo(stored);
        File.WriteAllBytes(_path, stored);
        var error = Assert.Throws<HeaderAuthenticationException>(() => StoredFile.Read(_temp.Vault, _path));
        Assert.Equal(_path, error.FileName);
    }

    [Fact]
    public void Bytes_between_vdl_and_eof_are_never_read_and_read_as_zeros()
    {
        string path = _temp.FilePath("sparse.bin");
        byte[] head = StoredFile.RandomContent(5000, 46);
        StoredFile.Write(_temp.Vault, path, head, eof: 50_000);
        using (var stream = new FileStream(path, FileMode.Append))
            stream.Write(StoredFile.RandomContent(20_000, 47)); // garbage where chunks beyond VDL would be
        byte[] read = StoredFile.Read(_temp.Vault, path);
        Assert.Equal(50_000, read.Length);
        Assert.Equal(head, read.AsSpan(0, 5000).ToArray());
        Assert.True(read.AsSpan(5000).IndexOfAnyExcept((byte)0) < 0);
    }

    private void CopyChunk(string fromPath, string toPath, int chunk)
    {
        byte[] from = File.ReadAllBytes(fromPath);
        byte[] to = File.ReadAllBytes(toPath);
        from.AsSpan((int)Layout.StoredOffsetOf(chunk), Layout.StoredChunkSize).CopyTo(to.AsSpan((int)Layout.StoredOffsetOf(chunk)));
        File.WriteAllBytes(toPath, to);
    }
}
