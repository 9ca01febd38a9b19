using NSec.Cryptography;

namespace Layered.Crypto;

/// <summary>Password -> 32-byte key-wrapping key with Argon2id (libsodium via NSec).</summary>
internal static class PasswordKdf
{
    public const int SaltSize = 16;
    public const int OutputSize = 32;

    public static SecretBuffer DeriveWrappingKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, KdfParameters parameters)
    {
        if (parameters.Validate() is { } problem)
            throw new ArgumentOutOfRangeException(nameof(parameters), problem);
        var argon = new Argon2Parameters
        {
            DegreeOfParallelism = parameters.Parallelism,
            MemorySize = parameters.MemoryKiB,
            NumberOfPasses = parameters.Passes,
        };
        var output = new SecretBuffer(OutputSize);
        try
        {
            PasswordBasedKeyDerivationAlgorithm.Argon2id(argon).DeriveBytes(password, salt, output.Span);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }
}
