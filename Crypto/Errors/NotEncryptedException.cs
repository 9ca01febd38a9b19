namespace Layered.Crypto;

/// <summary>The file does not start with the Layered header magic: it is plaintext (or not ours).</summary>
public sealed class NotEncryptedException : IntegrityException
{
    public NotEncryptedException(string fileName)
        : base(fileName, $"{fileName}: not an encrypted Layered file (no header magic)")
    {
    }
}
