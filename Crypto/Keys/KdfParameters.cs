namespace Layered.Crypto;

/// <summary>
/// Argon2id (v1.3) cost parameters for deriving the key-wrapping key from the password.
/// Memory is in KiB. libsodium computes Argon2id with one lane, so parallelism is always 1.
/// Every config read from disk is checked against <see cref="Validate"/>'s bounds before Argon2 runs, so a
/// config asking for 64 GiB is refused instead of obeyed.
/// </summary>
public sealed record KdfParameters(long MemoryKiB, long Passes, int Parallelism = 1)
{
    /// <summary>8 MiB: the least we accept (also the test setting): still memory-hard, about 5 ms here.</summary>
    public const long MinMemoryKiB = 8 * 1024;

    /// <summary>4 GiB: the most we will allocate for a password check.</summary>
    public const long MaxMemoryKiB = 4L * 1024 * 1024;

    public const long MinPasses = 1;
    public const long MaxPasses = 64;

    /// <summary>Default for new vaults: 64 MiB, 3 passes (libsodium's interactive memory, one more pass); about 70 ms on a 2-core EPYC.</summary>
    public static KdfParameters Interactive { get; } = new(64 * 1024, 3);

    /// <summary>The minimum allowed (8 MiB, 1 pass): fast, for tests only. `layered init` uses it only when
    /// LAYERED_TEST_FAST_KDF=1.</summary>
    public static KdfParameters ForTestsOnly { get; } = new(MinMemoryKiB, MinPasses);

    /// <summary>Null when the parameters are within bounds, otherwise what is wrong (for an error message).</summary>
    public string? Validate()
    {
        if (MemoryKiB < MinMemoryKiB || MemoryKiB > MaxMemoryKiB)
            return $"Argon2 memory {MemoryKiB} KiB is outside the allowed {MinMemoryKiB}..{MaxMemoryKiB} KiB";
        if (Passes < MinPasses || Passes > MaxPasses)
            return $"Argon2 passes {Passes} is outside the allowed {MinPasses}..{MaxPasses}";
        if (Parallelism != 1)
            return $"Argon2 parallelism {Parallelism} is not supported (must be 1)";
        return null;
    }

    public override string ToString() => $"argon2id (memory {MemoryKiB} KiB, passes {Passes}, parallelism {Parallelism})";
}
