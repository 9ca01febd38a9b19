namespace Layered.Crypto;

/// <summary>Why a vault config could not be used.</summary>
public enum VaultConfigProblem
{
    /// <summary>No config file: the folder is not a vault (or not initialized yet).</summary>
    Missing,
    /// <summary>The file is shorter or longer than the format's fixed size.</summary>
    Truncated,
    /// <summary>Bad magic or checksum: the bytes were damaged or it is not a Layered config.</summary>
    Corrupt,
    /// <summary>A format version this program does not know (written by a newer one).</summary>
    UnsupportedVersion,
    /// <summary>A field outside its allowed range (e.g. absurd Argon2 memory): refused rather than obeyed.</summary>
    OutOfBounds,
    /// <summary>The file could not be read or written.</summary>
    Unreadable,
}

/// <summary>The vault config is missing, damaged, from an unknown version or asks for something out of bounds.
/// The message names the file and never contains key material.</summary>
public sealed class VaultConfigException : IOException
{
    public VaultConfigException(string path, VaultConfigProblem problem, string detail, Exception? inner = null)
        : base($"vault config {path}: {detail}", inner)
    {
        ConfigPath = path;
        Problem = problem;
    }

    public string ConfigPath { get; }

    public VaultConfigProblem Problem { get; }
}
