using System.Text;
using Layered.WinFsp.Launcher;

namespace Layered.WinFsp.Tests;

/// <summary>The launcher's stdin/stdout credential handshake.</summary>
[Trait("Area", "WinFsp")]
public sealed class LauncherSecretTests
{
    [Fact]
    public void TheSecretIsReadToEndOfStreamWithoutATerminator()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("pässwörd"));
        byte[] destination = new byte[LauncherSecret.MaxSecretBytes];

        int length = LauncherSecret.Read(input, destination);

        Assert.Equal("pässwörd", Encoding.UTF8.GetString(destination, 0, length));
        char[] chars = new char[64];
        Assert.Equal("pässwörd", new string(chars, 0, LauncherSecret.DecodeUtf8(destination.AsSpan(0, length), chars)));
    }

    [Fact]
    public void OneTrailingLineBreakFromAHumanIsDropped()
    {
        byte[] destination = new byte[64];
        Assert.Equal(6, LauncherSecret.Read(new MemoryStream("secret\r\n"u8.ToArray()), destination));
        Assert.Equal(6, LauncherSecret.Read(new MemoryStream("secret\n"u8.ToArray()), destination));
    }

    [Fact]
    public void ATooLongSecretIsRefusedAndTheBufferZeroed()
    {
        byte[] destination = new byte[8];
        var error = Assert.Throws<InvalidDataException>(() => LauncherSecret.Read(new MemoryStream(new byte[9]), destination));
        Assert.Contains("longer than 8 bytes", error.Message, StringComparison.Ordinal);
        Assert.All(destination, b => Assert.Equal(0, b));

        Assert.Equal(8, LauncherSecret.Read(new MemoryStream("12345678"u8.ToArray()), destination));
    }

    [Fact]
    public void AnEmptySecretIsRefused()
    {
        var error = Assert.Throws<InvalidDataException>(() => LauncherSecret.Read(new MemoryStream(), new byte[16]));
        Assert.Contains("startWithSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAnswerIsExactlyOkOrKo()
    {
        using var accepted = new MemoryStream();
        LauncherSecret.Answer(accepted, accepted: true);
        Assert.Equal("OK"u8.ToArray(), accepted.ToArray());

        using var rejected = new MemoryStream();
        LauncherSecret.Answer(rejected, accepted: false);
        Assert.Equal("KO"u8.ToArray(), rejected.ToArray());
    }
}
