namespace Layered.Crypto;

/// <summary>Base of every "stored bytes of a file failed a check" error, so callers (fsck, the hosts) can map
/// them to one outcome (EIO / STATUS_DATA_ERROR). Always names the file.</summary>
public abstract class IntegrityException : IOException
{
    protected IntegrityException(string fileName, string message)
        : base(message)
    {
        FileName = fileName;
    }

    public string FileName { get; }
}
