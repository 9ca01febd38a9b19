namespace Layered.Crypto;

/// <summary>A sealed blob (symlink target, xattr value, security descriptor) failed authentication.</summary>
public sealed class BlobAuthenticationException : IntegrityException
{
    public BlobAuthenticationException(string fileName, string detail)
        : base(fileName, $"{fileName}: sealed value failed authentication: {detail}")
    {
    }
}
