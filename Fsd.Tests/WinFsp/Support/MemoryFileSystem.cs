using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Tests.Support;

/// <summary>
/// A small in-memory file system behind the managed surface: the test double the callback thunks are
/// driven against (the engine adapter is not written yet). Case-insensitive, case-preserving; every
/// handle knows whether it was closed so a use after Close fails loudly.
/// </summary>
public sealed class MemoryFileSystem : WinFspFileSystemBase
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.OrdinalIgnoreCase);
    private ulong _nextIndex = 1;

    public MemoryFileSystem(ILogger logger)
        : base(logger)
    {
        _nodes[@"\"] = new Node(@"\", isDirectory: true, _nextIndex++);
    }

    /// <summary>Name of a callback that should throw, to test exception handling.</summary>
    public string? ThrowFrom { get; set; }

    /// <summary>When set, Open succeeds without returning a context (a contract violation).</summary>
    public bool OpenWithoutContext { get; set; }

    public List<Handle> ClosedHandles { get; } = [];

    public List<(string? FileName, CleanupFlags Flags)> Cleanups { get; } = [];

    public List<(string FileName, bool Delete)> Dispositions { get; } = [];

    public List<(ulong Offset, int Length, bool WriteToEndOfFile, bool ConstrainedIo)> Writes { get; } = [];

    public List<(string? Pattern, string? Marker)> DirectoryReads { get; } = [];

    public int VolumeFlushes { get; private set; }

    public bool? StoppedNormally { get; private set; }

    public Node AddFile(string path, byte[] content, byte[]? securityDescriptor = null)
    {
        var node = new Node(path, isDirectory: false, _nextIndex++) { Data = content.ToArray(), SecurityDescriptor = securityDescriptor };
        _nodes[path] = node;
        return node;
    }

    public Node AddDirectory(string path)
    {
        var node = new Node(path, isDirectory: true, _nextIndex++);
        _nodes[path] = node;
        return node;
    }

    public Node Get(string path) => _nodes[path];

    public override int GetVolumeInfo(out FspVolumeInfo volumeInfo)
    {
        Maybe(nameof(GetVolumeInfo));
        volumeInfo = default;
        volumeInfo.TotalSize = 1 << 30;
        volumeInfo.FreeSize = 1 << 29;
        volumeInfo.SetLabel("Vault");
        return NtStatus.Success;
    }

    public override int GetSecurityByName(string fileName, bool securityDescriptorWanted, out uint fileAttributes, out byte[]? securityDescriptor)
    {
        Maybe(nameof(GetSecurityByName));
        securityDescriptor = null;
        fileAttributes = 0;
        if (!_nodes.TryGetValue(fileName, out Node? node))
        {
            return NtStatus.ObjectNameNotFound;
        }

        fileAttributes = node.Info.FileAttributes;
        securityDescriptor = securityDescriptorWanted ? node.SecurityDescriptor : null;
        return NtStatus.Success;
    }

    public override int Create(
        string fileName, uint createOptions, uint grantedAccess, uint fileAttributes, ReadOnlySpan<byte> securityDescriptor,
        ulong allocationSize, ReadOnlySpan<byte> extraBuffer, bool extraBufferIsReparsePoint,
        out object? fileContext, out FspFileInfo fileInfo, out string? normalizedName)
    {
        Maybe(nameof(Create));
        fileContext = null;
        fileInfo = default;
        normalizedName = null;
        if (_nodes.ContainsKey(fileName))
        {
            return NtStatus.ObjectNameCollision;
        }

        bool directory = (createOptions & CreateOptions.DirectoryFile) != 0;
        var node = new Node(fileName, directory, _nextIndex++)
        {
            SecurityDescriptor = securityDescriptor.IsEmpty ? null : securityDescriptor.ToArray(),
            ExtraBuffer = extraBuffer.ToArray(),
            CreateOptions = createOptions,
        };
        _nodes[fileName] = node;
        fileContext = new Handle(node);
        fileInfo = node.Info;
        normalizedName = node.Path;
        return NtStatus.Success;
    }

    public override int Open(string fileName, uint createOptions, uint grantedAccess, out object? fileContext, out FspFileInfo fileInfo, out string? normalizedName)
    {
        Maybe(nameof(Open));
        fileContext = null;
        fileInfo = default;
        normalizedName = null;
        if (!_nodes.TryGetValue(fileName, out Node? node))
        {
            return NtStatus.ObjectNameNotFound;
        }

        fileContext = OpenWithoutContext ? null : new Handle(node);
        fileInfo = node.Info;
        normalizedName = node.Path;
        return NtStatus.Success;
    }

    public override int Overwrite(object fileContext, uint fileAttributes, bool replaceFileAttributes, ulong allocationSize, ReadOnlySpan<byte> extendedAttributes, out FspFileInfo fileInfo)
    {
        Maybe(nameof(Overwrite));
        Node node = Live(fileContext);
        node.Data = [];
        node.Attributes = replaceFileAttributes ? fileAttributes | FileAttributeBits.Archive : node.Attributes | fileAttributes | FileAttributeBits.Archive;
        fileInfo = node.Info;
        return NtStatus.Success;
    }

    public override void Cleanup(object fileContext, string? fileName, CleanupFlags flags)
    {
        Maybe(nameof(Cleanup));
        Node node = Live(fileContext);
        Cleanups.Add((fileName, flags));
        if ((flags & CleanupFlags.Delete) != 0)
        {
            _nodes.Remove(node.Path);
        }
    }

    public override void Close(object fileContext)
    {
        var handle = (Handle)fileContext;
        if (handle.Closed)
        {
            throw new InvalidOperationException("Close called twice for one handle.");
        }

        handle.Closed = true;
        ClosedHandles.Add(handle);
        Maybe(nameof(Close));
    }

    public override int Read(object fileContext, Span<byte> buffer, ulong offset, out uint bytesTransferred)
    {
        Maybe(nameof(Read));
        Node node = Live(fileContext);
        bytesTransferred = 0;
        if (offset >= (ulong)node.Data.Length)
        {
            return NtStatus.EndOfFile;
        }

        int count = (int)Math.Min((ulong)buffer.Length, (ulong)node.Data.Length - offset);
        node.Data.AsSpan((int)offset, count).CopyTo(buffer);
        bytesTransferred = (uint)count;
        return NtStatus.Success;
    }

    public override int Write(object fileContext, ReadOnlySpan<byte> buffer, ulong offset, bool writeToEndOfFile, bool constrainedIo, out uint bytesTransferred, out FspFileInfo fileInfo)
    {
        Maybe(nameof(Write));
        Node node = Live(fileContext);
        Writes.Add((offset, buffer.Length, writeToEndOfFile, constrainedIo));
        ulong start = writeToEndOfFile ? (ulong)node.Data.Length : offset;
        int count = buffer.Length;
        if (constrainedIo)
        {
            count = start >= (ulong)node.Data.Length ? 0 : (int)Math.Min((ulong)count, (ulong)node.Data.Length - start);
        }

        if (start + (ulong)count > (ulong)node.Data.Length)
        {
            byte[] grown = new byte[start + (ulong)count];
            node.Data.CopyTo(grown, 0);
            node.Data = grown;
        }

        buffer[..count].CopyTo(node.Data.AsSpan((int)start));
        bytesTransferred = (uint)count;
        fileInfo = node.Info;
        return NtStatus.Success;
    }

    public override int Flush(object? fileContext, out FspFileInfo fileInfo)
    {
        Maybe(nameof(Flush));
        fileInfo = default;
        if (fileContext is null)
        {
            VolumeFlushes++;
            return NtStatus.Success;
        }

        fileInfo = Live(fileContext).Info;
        return NtStatus.Success;
    }

    public override int GetFileInfo(object fileContext, out FspFileInfo fileInfo)
    {
        Maybe(nameof(GetFileInfo));
        fileInfo = Live(fileContext).Info;
        return NtStatus.Success;
    }

    public override int SetBasicInfo(object fileContext, uint fileAttributes, ulong creationTime, ulong lastAccessTime, ulong lastWriteTime, ulong changeTime, out FspFileInfo fileInfo)
    {
        Maybe(nameof(SetBasicInfo));
        Node node = Live(fileContext);
        if (fileAttributes != FileAttributeBits.Invalid)
        {
            node.Attributes = fileAttributes;
        }

        if (lastWriteTime != 0)
        {
            node.LastWriteTime = lastWriteTime;
        }

        fileInfo = node.Info;
        return NtStatus.Success;
    }

    public override int SetFileSize(object fileContext, ulong newSize, bool setAllocationSize, out FspFileInfo fileInfo)
    {
        Maybe(nameof(SetFileSize));
        Node node = Live(fileContext);
        if (!setAllocationSize || newSize < (ulong)node.Data.Length)
        {
            byte[] resized = new byte[newSize];
            node.Data.AsSpan(0, (int)Math.Min(newSize, (ulong)node.Data.Length)).CopyTo(resized);
            node.Data = resized;
        }

        fileInfo = node.Info;
        return NtStatus.Success;
    }

    public override int SetDelete(object fileContext, string fileName, bool deleteFile)
    {
        Maybe(nameof(SetDelete));
        Node node = Live(fileContext);
        Dispositions.Add((fileName, deleteFile));
        if (deleteFile && node.IsDirectory && _nodes.Values.Any(child => ParentOf(child.Path).Equals(node.Path, StringComparison.OrdinalIgnoreCase) && child != node))
        {
            return NtStatus.DirectoryNotEmpty;
        }

        return NtStatus.Success;
    }

    public override int Rename(object fileContext, string fileName, string newFileName, bool replaceIfExists)
    {
        Maybe(nameof(Rename));
        Node node = Live(fileContext);
        if (_nodes.ContainsKey(newFileName) && !replaceIfExists)
        {
            return NtStatus.ObjectNameCollision;
        }

        _nodes.Remove(fileName);
        node.Path = newFileName;
        _nodes[newFileName] = node;
        return NtStatus.Success;
    }

    public override int GetSecurity(object fileContext, out byte[]? securityDescriptor)
    {
        Maybe(nameof(GetSecurity));
        securityDescriptor = Live(fileContext).SecurityDescriptor;
        return NtStatus.Success;
    }

    public override int SetSecurity(object fileContext, uint securityInformation, ReadOnlySpan<byte> modificationDescriptor)
    {
        Maybe(nameof(SetSecurity));
        Live(fileContext).SecurityDescriptor = modificationDescriptor.ToArray();
        return NtStatus.Success;
    }

    public override int ReadDirectory(object fileContext, string? pattern, string? marker, DirectoryBufferWriter entries)
    {
        Maybe(nameof(ReadDirectory));
        Node directory = Live(fileContext);
        DirectoryReads.Add((pattern, marker));
        IEnumerable<Node> children = _nodes.Values
            .Where(node => node != directory && ParentOf(node.Path).Equals(directory.Path, StringComparison.OrdinalIgnoreCase))
            .OrderBy(node => NameOf(node.Path), StringComparer.OrdinalIgnoreCase);
        foreach (Node child in children)
        {
            if (marker is not null && StringComparer.OrdinalIgnoreCase.Compare(NameOf(child.Path), marker) <= 0)
            {
                continue;
            }

            if (!entries.TryAdd(NameOf(child.Path), child.Info))
            {
                return NtStatus.Success;
            }
        }

        entries.TryAddEndMarker();
        return NtStatus.Success;
    }

    public override int GetDirInfoByName(object directoryContext, string fileName, out string? realName, out FspFileInfo fileInfo)
    {
        Maybe(nameof(GetDirInfoByName));
        Node directory = Live(directoryContext);
        string path = directory.Path == @"\" ? @"\" + fileName : directory.Path + @"\" + fileName;
        realName = null;
        fileInfo = default;
        if (!_nodes.TryGetValue(path, out Node? node))
        {
            return NtStatus.ObjectNameNotFound;
        }

        realName = NameOf(node.Path);
        fileInfo = node.Info;
        return NtStatus.Success;
    }

    public override void DispatcherStopped(bool normally)
    {
        Maybe(nameof(DispatcherStopped));
        StoppedNormally = normally;
    }

    private static string ParentOf(string path)
    {
        int last = path.LastIndexOf('\\');
        return last <= 0 ? @"\" : path[..last];
    }

    private static string NameOf(string path) => path[(path.LastIndexOf('\\') + 1)..];

    private static Node Live(object fileContext)
    {
        var handle = (Handle)fileContext;
        if (handle.Closed)
        {
            throw new InvalidOperationException("A closed handle was used.");
        }

        return handle.Node;
    }

    private void Maybe(string callback)
    {
        if (ThrowFrom == callback)
        {
            throw new InvalidOperationException($"{callback} failed on purpose");
        }
    }

    public sealed class Handle(Node node)
    {
        public Node Node { get; } = node;

        public bool Closed { get; set; }
    }

    public sealed class Node(string path, bool isDirectory, ulong index)
    {
        public string Path { get; set; } = path;

        public bool IsDirectory { get; } = isDirectory;

        public byte[] Data { get; set; } = [];

        public byte[]? SecurityDescriptor { get; set; }

        public byte[] ExtraBuffer { get; set; } = [];

        public uint CreateOptions { get; set; }

        public uint Attributes { get; set; } = isDirectory ? FileAttributeBits.Directory : FileAttributeBits.Archive;

        public ulong LastWriteTime { get; set; } = 133_000_000_000_000_000;

        public FspFileInfo Info => new()
        {
            FileAttributes = Attributes,
            FileSize = (ulong)Data.Length,
            AllocationSize = ((ulong)Data.Length + 4095) / 4096 * 4096,
            CreationTime = 132_000_000_000_000_000,
            LastAccessTime = LastWriteTime,
            LastWriteTime = LastWriteTime,
            ChangeTime = LastWriteTime,
            IndexNumber = index,
        };
    }
}
