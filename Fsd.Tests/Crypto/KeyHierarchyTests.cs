using System.Security.Cryptography;
using Xunit;

namespace Layered.Crypto.Tests;

/// <summary>
/// KeyHierarchy computes short subkeys from an HMAC state keyed once with the PRK instead of calling a general
/// HKDF-Expand: the bytes must be HKDF-SHA256's (RFC 5869) for every length, label and context.
/// </summary>
[Trait("Area", "Crypto")]
public sealed class KeyHierarchyTests
{
    [Fact]
    public void Rfc5869TestCase1IsReproducedForOneBlockAndTwo()
    {
        byte[] ikm = Convert.FromHexString("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] salt = Convert.FromHexString("000102030405060708090a0b0c");
        byte[] info = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9");
        const string okm = "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
        using var keys = new KeyHierarchy(ikm, salt);

        var oneBlock = new byte[32];
        keys.Derive(info, default, oneBlock);
        Assert.Equal(okm[..64], Convert.ToHexStringLower(oneBlock));

        var twoBlocks = new byte[42];
        keys.Derive(info, default, twoBlocks);
        Assert.Equal(okm, Convert.ToHexStringLower(twoBlocks));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(64)]
    public void EveryLengthMatchesTheRuntimesHkdf(int length)
    {
        var random = new Random(length);
        for (int round = 0; round < 50; round++)
        {
            byte[] master = Bytes(random, 32), vaultId = Bytes(random, 16);
            byte[] label = Bytes(random, random.Next(0, 24)), context = Bytes(random, random.Next(0, 40));
            using var keys = new KeyHierarchy(master, vaultId);
            var derived = new byte[length];
            keys.Derive(label, context, derived);

            byte[] expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, length, vaultId, [.. label, .. context]);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(derived));
        }
    }

    [Fact]
    public void ConcurrentDerivationsOfOneHierarchyDoNotDisturbEachOther()
    {
        using var keys = new KeyHierarchy(new byte[32], new byte[16]);
        var expected = new byte[200][];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = new byte[32];
            keys.Derive("file"u8, BitConverter.GetBytes(i), expected[i]);
        }

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n =>
        {
            int i = n % expected.Length;
            var again = new byte[32];
            keys.Derive("file"u8, BitConverter.GetBytes(i), again);
            Assert.Equal(expected[i], again);
        });
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
