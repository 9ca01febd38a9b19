namespace Layered.Crypto;

/// <summary>The header carries a format version or flag bits this program does not know.</summary>
public sealed class UnsupportedFormatException : IntegrityException
{
    public UnsupportedFormatException(string fileName, string detail)
        : base(fileName, $"{fileName}: unsupported file format: {detail}")
    {
    }
}
