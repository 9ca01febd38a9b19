using Layered.WinFsp.Native;

namespace Layered.WinFsp.Managed;

/// <summary>
/// Fills a ReadDirectory buffer with FSP_FSCTL_DIR_INFO entries in exactly the format
/// FspFileSystemAddDirInfo produces (src/dll/fsop.c FspFileSystemAddXxxInfo): each entry is the
/// 104-byte header plus the name, Size = header + name bytes, and the next entry starts at Size rounded
/// up to 8; an entry that does not fit is not written at all; the end-of-listing marker is a zero
/// UINT16 with no padding. Written in managed code so the format is testable without the DLL and no
/// native call is made per entry.
/// </summary>
public unsafe ref struct DirectoryBufferWriter
{
    private const int Alignment = 8;
    private readonly byte* _buffer;
    private readonly uint _length;
    private readonly uint* _bytesTransferred;

    /// <param name="buffer">The caller's buffer (native memory).</param>
    /// <param name="length">Its length in bytes.</param>
    /// <param name="bytesTransferred">The running byte count; WinFsp's PBytesTransferred out-parameter.</param>
    public DirectoryBufferWriter(void* buffer, uint length, uint* bytesTransferred)
    {
        _buffer = (byte*)buffer;
        _length = length;
        _bytesTransferred = bytesTransferred;
    }

    /// <summary>Bytes written so far, padding included.</summary>
    public readonly uint BytesTransferred => *_bytesTransferred;

    /// <summary>
    /// Appends one entry. Returns false, writing nothing, when the buffer is full: the FSD will call
    /// ReadDirectory again with the last added name as the marker.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<char> fileName, in FspFileInfo fileInfo)
    {
        int entrySize = FspDirInfo.HeaderSize + (fileName.Length * sizeof(char));
        if (fileName.IsEmpty || entrySize > ushort.MaxValue)
        {
            throw new ArgumentException($"A directory entry name must have 1 to 32715 characters; got {fileName.Length}.", nameof(fileName));
        }

        uint alignedSize = (uint)((entrySize + Alignment - 1) & ~(Alignment - 1));
        uint offset = *_bytesTransferred;
        if ((ulong)offset + alignedSize > _length)
        {
            return false;
        }

        byte* entry = _buffer + offset;
        new Span<byte>(entry, (int)alignedSize).Clear();
        var dirInfo = (FspDirInfo*)entry;
        dirInfo->Size = (ushort)entrySize;
        dirInfo->FileInfo = fileInfo;
        fileName.CopyTo(new Span<char>(FspDirInfo.FileNameOf(dirInfo), fileName.Length));
        *_bytesTransferred = offset + alignedSize;
        return true;
    }

    /// <summary>
    /// Appends the end-of-listing marker; call it only when every remaining entry was added. Returns
    /// false when the buffer has no room left for it (the next call will then add it).
    /// </summary>
    public bool TryAddEndMarker()
    {
        uint offset = *_bytesTransferred;
        if ((ulong)offset + sizeof(ushort) > _length)
        {
            return false;
        }

        *(ushort*)(_buffer + offset) = 0;
        *_bytesTransferred = offset + sizeof(ushort);
        return true;
    }
}
