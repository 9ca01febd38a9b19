using System.Text;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Journal;

namespace Layered.Fsd.Tests;

public enum StoreKind { Memory, Directory }

/// <summary>A vault on a temporary folder (config) with its files on the chosen store, mounted.</summary>
public sealed class TestVolume : IDisposable
{
    public readonly string Root;
    public readonly IBackingStore Store;
    public readonly Vault Vault;
    public Volume Volume { get; set; }
    private readonly Func<VolumeOptions, VolumeOptions>? _configure;

    public TestVolume(StoreKind kind, Func<VolumeOptions, VolumeOptions>? configure = null, IBackingStore? store = null, int chunkSize = 4096)
    {
        Root = Path.Combine(Path.GetTempPath(), "layered-engine-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Vault = Vault.Create(Root, "password"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly, ChunkSize = chunkSize });
        Store = store ?? (kind == StoreKind.Memory ? new InMemoryBackingStore() : new DirectoryBackingStore(Root));
        _configure = configure;
        Volume.InitializeStore(Store, new JournalOptions(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        Volume = Mount(Store);
    }

    public Volume Mount(IBackingStore store)
    {
        var options = new VolumeOptions { Store = store, Vault = Vault, CheckpointInterval = TimeSpan.Zero };
        return Volume.Mount(_configure?.Invoke(options) ?? options);
    }

    public void Remount()
    {
        Volume.Dispose();
        Volume = Mount(Store);
    }

    public void Dispose()
    {
        Volume.Dispose();
        Store.Dispose();
        Vault.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }

    // ---- helpers that keep tests short ----
    public FileHandle Open(string path, CreateDisposition d = CreateDisposition.OpenIf, FileAccess2 access = FileAccess2.All, bool deleteOnClose = false)
    {
        var st = Volume.Create(path, new CreateRequest { Disposition = d, Access = access, DeleteOnClose = deleteOnClose }, out var h, out _, out _);
        Assert.Equal(FsStatus.Success, st);
        return h!;
    }

    public FsStatus TryOpen(string path, CreateRequest request, out FileHandle? handle) =>
        Volume.Create(path, request, out handle, out _, out _);

    public void Write(FileHandle h, long offset, ReadOnlySpan<byte> data)
    {
        Assert.Equal(FsStatus.Success, Volume.Write(h, offset, data, WriteMode.AtOffset, out int n, out _));
        Assert.Equal(data.Length, n);
    }

    public byte[] ReadAll(FileHandle h)
    {
        Assert.Equal(FsStatus.Success, Volume.GetInfo(h, out var info));
        var buffer = new byte[info.EndOfFile + 10];
        Assert.Equal(FsStatus.Success, Volume.Read(h, 0, buffer, out int n));
        Assert.Equal(info.EndOfFile, n);
        return buffer[..n];
    }

    public byte[] ReadFile(string path)
    {
        var h = Open(path, CreateDisposition.Open, FileAccess2.Read);
        try { return ReadAll(h); } finally { Volume.Release(h); }
    }

    public void WriteFile(string path, byte[] data)
    {
        var h = Open(path, CreateDisposition.OverwriteIf);
        Write(h, 0, data);
        Volume.Release(h);
    }

    public static byte[] Pattern(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    public static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);
}
