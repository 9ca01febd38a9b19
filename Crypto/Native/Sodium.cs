using System.Runtime.InteropServices;

namespace Layered.Crypto;

/// <summary>
/// The few libsodium entry points the content-key path calls directly: the same native library NSec loads
/// (package libsodium, resolved by the name "libsodium"). Everything else stays with NSec. Pointers only, so
/// the calls are blittable and the generated stubs marshal nothing.
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    private static readonly bool s_initialized = Initialize();

    /// <summary>Runs sodium_init once per process (it picks the CPU-specific code paths); idempotent in libsodium too.</summary>
    public static void EnsureInitialized()
    {
        if (!s_initialized)
            throw new InvalidOperationException("libsodium failed to initialize (sodium_init returned -1)");
    }

    private static bool Initialize() => sodium_init() >= 0;

    [LibraryImport(Library)]
    private static partial int sodium_init();

    /// <summary>mlock (VirtualLock on Windows) plus madvise(MADV_DONTDUMP) where the system has it. -1 on failure, errno set.</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial int sodium_mlock(void* address, nuint length);

    /// <summary>Zeroes the range, undoes MADV_DONTDUMP and unlocks it.</summary>
    [LibraryImport(Library)]
    public static partial int sodium_munlock(void* address, nuint length);

    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_is_available();

    [LibraryImport(Library)]
    public static partial int crypto_aead_aegis256_encrypt(byte* c, ulong* clen, byte* m, ulong mlen, byte* ad, ulong adlen,
        byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_aegis256_decrypt(byte* m, ulong* mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen,
        byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_encrypt(byte* c, ulong* clen, byte* m, ulong mlen, byte* ad, ulong adlen,
        byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_decrypt(byte* m, ulong* mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen,
        byte* npub, byte* k);

    /// <summary>Size of crypto_auth_hmacsha256_state (two SHA-256 states), asked of the library rather than assumed.</summary>
    [LibraryImport(Library)]
    public static partial nuint crypto_auth_hmacsha256_statebytes();

    [LibraryImport(Library)]
    public static partial int crypto_auth_hmacsha256_init(byte* state, byte* key, nuint keylen);

    [LibraryImport(Library)]
    public static partial int crypto_auth_hmacsha256_update(byte* state, byte* input, ulong inlen);

    [LibraryImport(Library)]
    public static partial int crypto_auth_hmacsha256_final(byte* state, byte* output);
}
