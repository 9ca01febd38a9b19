using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

[Trait("Area", "Crypto")]
public sealed class FileIdTests
{
    [Fact]
    public void Bytes_UInt128_and_hex_agree()
    {
        byte[] bytes = Convert.FromHexString("00112233445566778899aabbccddeeff");
        var id = FileId.Read(bytes);
        Assert.Equal("00112233445566778899aabbccddeeff", id.ToString());
        Assert.Equal(UInt128.Parse("00112233445566778899aabbccddeeff", System.Globalization.NumberStyles.HexNumber), id.ToUInt128());
        Assert.Equal(id, FileId.FromUInt128(id.ToUInt128()));
        var written = new byte[FileId.Size];
        id.WriteTo(written);
        Assert.Equal(bytes, written);
    }

    [Fact]
    public void Random_ids_are_distinct_and_never_empty()
    {
        var seen = new HashSet<FileId>();
        for (int i = 0; i < 1000; i++)
        {
            var id = FileId.NewRandom();
            Assert.False(id.IsEmpty);
            Assert.True(seen.Add(id));
        }
        Assert.True(default(FileId).IsEmpty);
    }

    [Fact]
    public void Short_spans_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FileId.Read(new byte[15]));
        Assert.Throws<ArgumentException>(() => FileId.NewRandom().WriteTo(new byte[15]));
    }
}
