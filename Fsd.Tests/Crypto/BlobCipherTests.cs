using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

[Trait("Area", "Crypto")]
public sealed class BlobCipherTests
{
    [Theory]
    [InlineData(CipherKind.Aegis256)]
    [InlineData(CipherKind.Aes256Gcm)]
    public void Sealed_values_open_only_for_their_owner_and_context(CipherKind cipher)
    {
        using var temp = new TempVault(cipher);
        var owner = FileId.NewRandom();
        byte[] target = "../some/where/else"u8.ToArray();
        byte[] sealedValue = temp.Vault.Blobs.Seal(owner, "symlink"u8, target);
        Assert.Equal(target.Length + temp.Vault.Blobs.Overhead, sealedValue.Length);
        Assert.Equal(target, temp.Vault.Blobs.Open(owner, "symlink"u8, sealedValue, "link"));
        Assert.Throws<BlobAuthenticationException>(() => temp.Vault.Blobs.Open(FileId.NewRandom(), "symlink"u8, sealedValue, "link"));
        Assert.Throws<BlobAuthenticationException>(() => temp.Vault.Blobs.Open(owner, "xattr:user.x"u8, sealedValue, "link"));
        sealedValue[^1] ^= 1;
        var error = Assert.Throws<BlobAuthenticationException>(() => temp.Vault.Blobs.Open(owner, "symlink"u8, sealedValue, "link"));
        Assert.Equal("link", error.FileName);
        Assert.Throws<BlobAuthenticationException>(() => temp.Vault.Blobs.Open(owner, "symlink"u8, new byte[3], "link"));
    }

    [Fact]
    public void Empty_values_seal_too()
    {
        using var temp = new TempVault();
        var owner = FileId.NewRandom();
        byte[] sealedValue = temp.Vault.Blobs.Seal(owner, default, default);
        Assert.Empty(temp.Vault.Blobs.Open(owner, default, sealedValue, "f"));
    }
}
