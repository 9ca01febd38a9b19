namespace Layered.Crypto;

/// <summary>
/// Where a vault keeps its own files: <c>&lt;vault&gt;/.layered/</c> holds the config, the journal folder and
/// the lock file. Everything else under the vault root is the user's (encrypted) files.
/// </summary>
public static class VaultLayout
{
    public const string MetaDirectoryName = ".layered";
    public const string ConfigFileName = "vault.config";
    public const string JournalDirectoryName = "journal";
    public const string LockFileName = "lock";

    public static string MetaDirectory(string vaultRoot) => Path.Combine(vaultRoot, MetaDirectoryName);

    public static string ConfigPath(string vaultRoot) => Path.Combine(vaultRoot, MetaDirectoryName, ConfigFileName);

    public static string JournalDirectory(string vaultRoot) => Path.Combine(vaultRoot, MetaDirectoryName, JournalDirectoryName);

    public static string LockPath(string vaultRoot) => Path.Combine(vaultRoot, MetaDirectoryName, LockFileName);

    /// <summary>True for the name of the meta directory at the vault root, which the volume must hide.</summary>
    public static bool IsMetaDirectoryName(string name) => string.Equals(name, MetaDirectoryName, StringComparison.Ordinal);
}
