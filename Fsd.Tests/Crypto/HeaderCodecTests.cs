using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

[Trait("Area", "Crypto")]
public sealed class HeaderCodecTests
{
    [Fact]
    public void Header_round_trips_with_every_field()
    {
        using var temp = new TempVault();
        var header = new FileHeader(FileId.NewRandom(), 123_456_789, 100_000, 987_654, HeaderFlags.Symlink);
        var bytes = new byte[FileHeader.Size];
        temp.Vault.Headers.Encode(header, bytes);
        Assert.True(HeaderCodec.HasMagic(bytes));
        Assert.Equal(header, temp.Vault.Headers.Decode(bytes, "f"));
    }

    [Fact]
    public void Every_flipped_bit_is_detected()
    {
        using var temp = new TempVault();
        var bytes = new byte[FileHeader.Size];
        temp.Vault.Headers.Encode(new FileHeader(FileId.NewRandom(), 10, 5, 1, HeaderFlags.None), bytes);
        for (int bit = 0; bit < FileHeader.Size * 8; bit++)
        {
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            var error = Assert.ThrowsAny<IntegrityException>(() => temp.Vault.Headers.Decode(bytes, "victim.txt"));
            Assert.Equal("victim.txt", error.FileName);
            Assert.Contains("victim.txt", error.Message);
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        }
        temp.Vault.Headers.Decode(bytes, "victim.txt");
    }

    [Fact]
    public void Plaintext_files_are_told_apart_from_encrypted_ones()
    {
        using var temp = new TempVault();
        byte[] plain = "just some text file, long enough to fill a header-sized read.............................."u8.ToArray();
        Assert.False(HeaderCodec.HasMagic(plain));
        Assert.Throws<NotEncryptedException>(() => temp.Vault.Headers.Decode(plain, "notes.txt"));
        Assert.Throws<NotEncryptedException>(() => temp.Vault.Headers.Decode(ReadOnlySpan<byte>.Empty, "empty.txt"));
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        using var temp = new TempVault();
        var bytes = new byte[FileHeader.Size];
        temp.Vault.Headers.Encode(FileHeader.NewEmpty(), bytes);
        var error = Assert.Throws<HeaderAuthenticationException>(() => temp.Vault.Headers.Decode(bytes.AsSpan(0, 50), "short"));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Unknown_version_is_unsupported_not_corrupt()
    {
        using var temp = new TempVault();
        var bytes = new byte[FileHeader.Size];
        temp.Vault.Headers.Encode(FileHeader.NewEmpty(), bytes);
        bytes[8] = 2;
        Assert.Throws<UnsupportedFormatException>(() => temp.Vault.Headers.Decode(bytes, "f"));
    }

    [Fact]
    public void Header_from_another_vault_fails_its_mac()
    {
        using var a = new TempVault();
        using var b = new TempVault();
        var bytes = new byte[FileHeader.Size];
        a.Vault.Headers.Encode(FileHeader.NewEmpty(), bytes);
        Assert.Throws<HeaderAuthenticationException>(() => b.Vault.Headers.Decode(bytes, "f"));
    }

    [Fact]
    public void Invalid_headers_are_refused_at_encode()
    {
        using var temp = new TempVault();
        var bytes = new byte[FileHeader.Size];
        var id = FileId.NewRandom();
        Assert.Throws<ArgumentException>(() => temp.Vault.Headers.Encode(new FileHeader(default, 0, 0, 0, HeaderFlags.None), bytes));
        Assert.Throws<ArgumentException>(() => temp.Vault.Headers.Encode(new FileHeader(id, 5, 6, 0, HeaderFlags.None), bytes));
        Assert.Throws<ArgumentException>(() => temp.Vault.Headers.Encode(new FileHeader(id, 5, 5, -1, HeaderFlags.None), bytes));
        Assert.Throws<ArgumentException>(() => temp.Vault.Headers.Encode(new FileHeader(id, 5, 5, 0, (HeaderFlags)2), bytes));
        Assert.Throws<ArgumentException>(() => temp.Vault.Headers.Encode(new FileHeader(id, 5, 5, 0, HeaderFlags.None), new byte[95]));
    }
}
