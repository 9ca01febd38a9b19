namespace Layered.Crypto;

/// <summary>Choices made once, at init. Defaults: AEGIS-256, 4 KiB chunks, <see cref="KdfParameters.Interactive"/>.</summary>
public sealed record VaultCreateOptions
{
    public CipherKind Cipher { get; init; } = CipherKind.Aegis256;

    public int ChunkSize { get; init; } = ChunkLayout.DefaultChunkSize;

    public KdfParameters Kdf { get; init; } = KdfParameters.Interactive;
}
