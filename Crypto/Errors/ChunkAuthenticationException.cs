namespace Layered.Crypto;

/// <summary>A stored chunk below VDL failed authentication or is missing/short (the file was cut).
/// Carries the file and the chunk index; the chunk's bytes are never returned as data.</summary>
public sealed class ChunkAuthenticationException : IntegrityException
{
    public ChunkAuthenticationException(string fileName, long chunkIndex, string detail)
        : base(fileName, $"{fileName}: chunk {chunkIndex} failed authentication: {detail}")
    {
        ChunkIndex = chunkIndex;
    }

    public long ChunkIndex { get; }
}
