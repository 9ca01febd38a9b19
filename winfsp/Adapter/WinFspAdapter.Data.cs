using Layered.Fsd;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Adapter;

// Read, write, flush, file information, basic information and sizes: each one engine call, and the exact
// post-operation FileInfo WinFsp caches.
public sealed partial class WinFspAdapter
{
    /// <summary>STATUS_END_OF_FILE when the offset is at or past the end of file; a short read at the end is normal.</summary>
    public override int Read(object fileContext, Span<byte> buffer, ulong offset, out uint bytesTransferred)
    {
        bytesTransferred = 0;
        var file = Context(fileContext);
        if (offset > long.MaxValue || file.IsSymlink)
            return NtStatus.EndOfFile; // a symlink has no data (the engine's content is its target)
        var status = _volume.Read(file.Handle, (long)offset, buffer, out int bytesRead);
        if (status != FsStatus.Success)
            return Status(status);
        if (bytesRead == 0 && !buffer.IsEmpty)
            return NtStatus.EndOfFile;
        bytesTransferred = (uint)bytesRead;
        return NtStatus.Success;
    }

    /// <summary>
    /// WriteToEndOfFile is the engine's append (its offset decided inside the engine, in the file's order);
    /// ConstrainedIo (paging I/O) is the engine's paging write, clipped to the end of file and never extending.
    /// </summary>
    public override int Write(
        object fileContext, ReadOnlySpan<byte> buffer, ulong offset, bool writeToEndOfFile, bool constrainedIo,
        out uint bytesTransferred, out FspFileInfo fileInfo)
    {
        bytesTransferred = 0;
        fileInfo = default;
        var file = Context(fileContext);
        var mode = writeToEndOfFile ? WriteMode.Append : constrainedIo ? WriteMode.Paging : WriteMode.AtOffset;
        long at = writeToEndOfFile ? 0 : offset > long.MaxValue ? long.MaxValue : (long)offset;
        var status = _volume.Write(file.Handle, at, buffer, mode, out int written, out _);
        if (status != FsStatus.Success)
            return Status(status);
        bytesTransferred = (uint)written;
        return InfoOf(file, out fileInfo);
    }

    /// <summary>A file's data and size durable; with no context, the whole volume's.</summary>
    public override int Flush(object? fileContext, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        if (fileContext is null)
            return Status(_volume.FlushVolume());
        var file = Context(fileContext);
        var status = _volume.Flush(file.Handle);
        return status != FsStatus.Success ? Status(status) : InfoOf(file, out fileInfo);
    }

    public override int GetFileInfo(object fileContext, out FspFileInfo fileInfo) => InfoOf(Context(fileContext), out fileInfo);

    /// <summary>INVALID_FILE_ATTRIBUTES and times of 0 leave that field alone (engine nulls).</summary>
    public override int SetBasicInfo(
        object fileContext, uint fileAttributes, ulong creationTime, ulong lastAccessTime,
        ulong lastWriteTime, ulong changeTime, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        var file = Context(fileContext);
        var change = new BasicInfoChange(
            FileInfoMapping.FromSetAttributes(fileAttributes),
            FileInfoMapping.FromSetTime(creationTime),
            FileInfoMapping.FromSetTime(lastAccessTime),
            FileInfoMapping.FromSetTime(lastWriteTime),
            FileInfoMapping.FromSetTime(changeTime));
        var status = _volume.SetBasicInfo(file.Handle, change, out var info);
        if (status != FsStatus.Success)
            return Status(status);
        fileInfo = ToFileInfo(file, info);
        return NtStatus.Success;
    }

    /// <summary>End of file, or the allocation size (which truncates when set below the end of file).</summary>
    public override int SetFileSize(object fileContext, ulong newSize, bool setAllocationSize, out FspFileInfo fileInfo)
    {
        fileInfo = default;
        var file = Context(fileContext);
        if (newSize > (ulong)Volume.MaxFileSize)
            return NtStatusMap.FileTooLarge;
        var status = setAllocationSize
            ? _volume.SetAllocationSize(file.Handle, (long)newSize)
            : _volume.SetFileSize(file.Handle, (long)newSize);
        return status != FsStatus.Success ? Status(status) : InfoOf(file, out fileInfo);
    }
}
