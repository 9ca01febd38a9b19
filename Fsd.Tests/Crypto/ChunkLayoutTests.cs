using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

[Trait("Area", "Crypto")]
public sealed class ChunkLayoutTests
{
    [Theory]
    [InlineData(CipherKind.Aegis256, 64)]
    [InlineData(CipherKind.Aes256Gcm, 28)]
    public void Overhead_is_nonce_plus_tag(CipherKind cipher, int overhead)
    {
        var layout = new ChunkLayout(4096, cipher);
        Assert.Equal(overhead, layout.Overhead);
        Assert.Equal(4096 + overhead, layout.StoredChunkSize);
        Assert.Equal(FileHeader.Size, layout.HeaderSize);
    }

    [Fact]
    public void Offsets_map_between_plaintext_chunks_and_storage()
    {
        var layout = new ChunkLayout(4096, CipherKind.Aegis256);
        Assert.Equal(0, layout.ChunkIndexOf(0));
        Assert.Equal(0, layout.ChunkIndexOf(4095));
        Assert.Equal(1, layout.ChunkIndexOf(4096));
        Assert.Equal(4095, layout.OffsetInChunk(4095));
        Assert.Equal(0, layout.OffsetInChunk(8192));
        Assert.Equal(96, layout.StoredOffsetOf(0));
        Assert.Equal(96 + 2 * 4160, layout.StoredOffsetOf(2));
        Assert.Equal(8192, layout.PlainOffsetOf(2));
    }

    [Fact]
    public void Last_chunk_is_short_and_nothing_is_stored_at_or_beyond_vdl()
    {
        var layout = new ChunkLayout(4096, CipherKind.Aegis256);
        Assert.Equal(4096, layout.PlainLengthOfChunk(0, 5000));
        Assert.Equal(904, layout.PlainLengthOfChunk(1, 5000));
        Assert.Equal(0, layout.PlainLengthOfChunk(2, 5000));
        Assert.Equal(0, layout.PlainLengthOfChunk(0, 0));
        Assert.Equal(2, layout.ChunkCount(5000));
        Assert.Equal(1, layout.ChunkCount(4096));
        Assert.Equal(0, layout.ChunkCount(0));
        Assert.Equal(96, layout.StoredLengthFor(0));
        Assert.Equal(96 + 4160 + 904 + 64, layout.StoredLengthFor(5000));
        Assert.Equal(96 + 4160, layout.StoredLengthFor(4096));
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(4095)]
    [InlineData(6144)]
    [InlineData(2 << 20)]
    public void Bad_chunk_sizes_are_refused(int chunkSize)
    {
        Assert.False(ChunkLayout.IsValidChunkSize(chunkSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkLayout(chunkSize, CipherKind.Aegis256));
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(1 << 20)]
    public void Power_of_two_chunk_sizes_from_4k_to_1m_work(int chunkSize)
    {
        var layout = new ChunkLayout(chunkSize, CipherKind.Aes256Gcm);
        Assert.Equal(3, layout.ChunkIndexOf(3L * chunkSize + 1));
        Assert.Equal(1, layout.OffsetInChunk(3L * chunkSize + 1));
    }

    [Fact]
    public void A_stored_length_short_of_vdl_names_the_first_missing_chunk()
    {
        var layout = new ChunkLayout(4096, CipherKind.Aegis256);
        long vdl = 3 * 4096;
        layout.EnsureStoredLengthCovers(layout.StoredLengthFor(vdl), vdl, "f");
        layout.EnsureStoredLengthCovers(layout.StoredLengthFor(vdl) + 10, vdl, "f");
        var cut = Assert.Throws<ChunkAuthenticationException>(() => layout.EnsureStoredLengthCovers(layout.StoredOffsetOf(2), vdl, "f"));
        Assert.Equal(2, cut.ChunkIndex);
        Assert.Equal("f", cut.FileName);
        var torn = Assert.Throws<ChunkAuthenticationException>(() => layout.EnsureStoredLengthCovers(layout.StoredOffsetOf(1) + 100, vdl, "f"));
        Assert.Equal(1, torn.ChunkIndex);
    }
}
