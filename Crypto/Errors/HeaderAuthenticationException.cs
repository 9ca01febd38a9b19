namespace Layered.Crypto;

/// <summary>A file header failed its MAC (tampered, from another vault, truncated) or is inconsistent.</summary>
public sealed class HeaderAuthenticationException : IntegrityException
{
    public HeaderAuthenticationException(string fileName, string detail)
        : base(fileName, $"{fileName}: file header failed authentication: {detail}")
    {
    }
}
