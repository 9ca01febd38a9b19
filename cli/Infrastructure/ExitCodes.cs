namespace Layered.Cli;

/// <summary>The process exit codes of `layered` (listed in the README). Stable: scripts depend on them.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A bug or an unexpected failure; the message says what.</summary>
    public const int InternalError = 1;
    /// <summary>Bad command line: unknown command or option, bad value, passwords that do not match.</summary>
    public const int Usage = 2;
    public const int WrongPassword = 3;
    /// <summary>The vault config is missing, truncated, corrupt, of an unknown version or out of bounds.</summary>
    public const int BadVaultConfig = 4;
    /// <summary>init found a vault already there; nothing was changed.</summary>
    public const int VaultExists = 5;
    /// <summary>A file could not be read or written (password file, vault folder).</summary>
    public const int IoError = 6;
    /// <summary>Stored data failed authentication (tampered or damaged header, chunk or sealed value).</summary>
    public const int IntegrityError = 7;
    /// <summary>The request cannot run on this machine (e.g. AES-256-GCM without AES-NI).</summary>
    public const int Unsupported = 8;
    /// <summary>`layered recover`: recovery found damage it could not repair (the files are named on stderr).</summary>
    public const int RecoveryDamage = 9;
    /// <summary>`layered fsck`: files with unreadable chunks or headers were found and not repaired (named on stdout).</summary>
    public const int FsckDamage = 10;
    /// <summary>`layered init --adopt` / `layered decrypt`: some files could not be converted (each named on stderr) and
    /// were left exactly as they were; everything else was converted. Fix what is named and run the command again.</summary>
    public const int NotAllConverted = 11;
    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
