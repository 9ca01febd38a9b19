using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Journal;
using Layered.WinFsp.Adapter;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.WinFsp.Tests.Support;

public enum StoreKind { Memory, Directory }

/// <summary>
/// A real vault on a temporary folder, its files on the in-memory store or a real folder, mounted the way the
/// WinFsp host mounts it (NT metadata, case-insensitive names) and served by a <see cref="WinFspAdapter"/>.
/// The helpers issue call sequences as the WinFsp DLL does (e.g. FILE_OVERWRITE is Open then Overwrite).
/// </summary>
public sealed unsafe class AdapterVolume : IDisposable
{
    public const uint FileCreate = (uint)Native.CreateDisposition.Create << 24;
    public const uint FileOpen = (uint)Native.CreateDisposition.Open << 24;

    private readonly string _root;
    private readonly IBackingStore _store;
    private readonly Vault _vault;

    public AdapterVolume(StoreKind kind)
    {
        _root = Path.Combine(Path.GetTempPath(), "layered-winfsp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _vault = Vault.Create(_root, "password"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly });
        _store = kind == StoreKind.Memory ? new InMemoryBackingStore() : new DirectoryBackingStore(_root);
        Volume.InitializeStore(_store, new JournalOptions(), NullLoggerFactory.Instance);
        Adapter = Mount();
    }

    public WinFspAdapter Adapter { get; private set; }

    public RecordingLogger Logger { get; } = new();

    /// <summary>Unmounts and mounts again: what a fresh mount of the backing folder shows.</summary>
    public void Remount()
    {
        Adapter.Volume.Dispose();
        Adapter = Mount();
    }

    private WinFspAdapter Mount()
    {
        var options = WinFspAdapter.EngineOptions(_store, _vault, readOnly: false, NullLoggerFactory.Instance, out var names);
        var volume = Volume.Mount(options);
        return new WinFspAdapter(volume, names, Logger);
    }

    public void Dispose()
    {
        Adapter.Volume.Dispose();
        _store.Dispose();
        _vault.Dispose();
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    // ---- call sequences as the DLL issues them ----

    public object CreateFile(string name, uint attributes = 0, uint options = 0)
    {
        int status = TryCreate(name, options | CreateOptions.NonDirectoryFile, attributes, out var context, out _);
        Assert.Equal(NtStatus.Success, status);
        return context!;
    }

    public object CreateDirectory(string name)
    {
        int status = TryCreate(name, CreateOptions.DirectoryFile, FileAttributeBits.Directory, out var context, out _);
        Assert.Equal(NtStatus.Success, status);
        return context!;
    }

    public int TryCreate(string name, uint options, uint attributes, out object? context, out FspFileInfo info) =>
        Adapter.Create(name, FileCreate | options, 0x1F01FF, attributes, [], 0, [], false, out context, out info, out _);

    public object Open(string name, uint options = 0)
    {
        int status = Adapter.Open(name, FileOpen | options, 0x1F01FF, out var context, out _, out _);
        Assert.Equal(NtStatus.Success, status);
        return context!;
    }

    public int TryOpen(string name, uint options, out object? context, out string? normalizedName) =>
        Adapter.Open(name, FileOpen | options, 0x1F01FF, out context, out _, out normalizedName);

    /// <summary>CloseHandle: Cleanup (with Delete when WinFsp decided so) then Close.</summary>
    public void CloseHandle(object context, string? nameIfDelete = null)
    {
        Adapter.Cleanup(context, nameIfDelete, nameIfDelete is null ? Native.CleanupFlags.None : Native.CleanupFlags.Delete);
        Adapter.Close(context);
    }

    public void Write(object context, ulong offset, byte[] data)
    {
        Assert.Equal(NtStatus.Success, Adapter.Write(context, data, offset, false, false, out uint n, out _));
        Assert.Equal((uint)data.Length, n);
    }

    public byte[] ReadAll(object context)
    {
        Assert.Equal(NtStatus.Success, Adapter.GetFileInfo(context, out var info));
        var buffer = new byte[info.FileSize];
        if (buffer.Length == 0)
            return buffer;
        Assert.Equal(NtStatus.Success, Adapter.Read(context, buffer, 0, out uint n));
        Assert.Equal(info.FileSize, n);
        return buffer;
    }

    public byte[] ReadFile(string name)
    {
        var context = Open(name);
        try { return ReadAll(context); } finally { CloseHandle(context); }
    }

    public void WriteFile(string name, byte[] data)
    {
        var context = CreateFile(name);
        Write(context, 0, data);
        CloseHandle(context);
    }

    public bool Exists(string name) =>
        Adapter.GetSecurityByName(name, false, out _, out _) == NtStatus.Success;

    /// <summary>Lists a directory the way the FSD does: calls with the last name as marker until the end marker.</summary>
    public List<string> List(string directory, int bufferBytes, out int calls)
    {
        var names = new List<string>();
        var context = Open(directory, CreateOptions.DirectoryFile);
        try
        {
            string? marker = null;
            calls = 0;
            using var buffer = new NativeBuffer(bufferBytes);
            while (true)
            {
                calls++;
                uint transferred = 0;
                var writer = new DirectoryBufferWriter(buffer.Pointer, (uint)bufferBytes, &transferred);
                Assert.Equal(NtStatus.Success, Adapter.ReadDirectory(context, null, marker, writer));
                var (entries, ended) = DirBufferParser.Parse(buffer.Pointer, transferred);
                names.AddRange(entries.Select(e => e.Name));
                if (ended)
                    return names;
                Assert.NotEmpty(entries); // no progress and no end would loop forever
                marker = entries[^1].Name;
            }
        }
        finally
        {
            CloseHandle(context);
        }
    }
}
