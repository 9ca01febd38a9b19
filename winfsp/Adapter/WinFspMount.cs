using System.Runtime.Versioning;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.WinFsp.Hosting;
using Layered.WinFsp.Interop;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// One vault served on Windows: the backing folder, the engine volume (recovery runs at mount), the adapter and
/// the WinFsp host. Dispose unmounts first (the dispatcher stops, contexts WinFsp abandoned are closed), then
/// unmounts the engine volume (final checkpoint: the journal committed), then releases the folder.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class WinFspMount : IDisposable
{
    private readonly DirectoryBackingStore _store;
    private readonly Volume _volume;
    private readonly WinFspHost _host;
    private bool _disposed;

    private WinFspMount(DirectoryBackingStore store, Volume volume, WinFspAdapter adapter, WinFspHost host, string mountPointName)
    {
        _store = store;
        _volume = volume;
        Adapter = adapter;
        _host = host;
        MountPointName = mountPointName;
    }

    public WinFspAdapter Adapter { get; }

    /// <summary>The mount point in use (the letter WinFsp chose for "*:").</summary>
    public string MountPointName { get; }

    /// <summary>Mounts <paramref name="vault"/> (already unlocked; the caller keeps and disposes it) as asked.</summary>
    /// <exception cref="WinFspException">WinFsp is missing or a mount step failed; nothing stays mounted.</exception>
    public static WinFspMount Start(WinFspMountRequest request, Vault vault, bool readOnly, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(loggers);
        var library = WinFspLibrary.Load(new WindowsRegistry());
        var store = new DirectoryBackingStore(request.VaultPath, loggers.CreateLogger<DirectoryBackingStore>());
        Volume? volume = null;
        WinFspHost? host = null;
        try
        {
            volume = Volume.Mount(WinFspAdapter.EngineOptions(store, vault, readOnly, loggers, out var names));
            var adapter = new WinFspAdapter(volume, names, loggers.CreateLogger<WinFspAdapter>());
            host = new WinFspHost(library, adapter, request.HostOptions(readOnly), loggers.CreateLogger<WinFspHost>());
            string mountPointName = host.Mount(request.MountPoint);
            return new WinFspMount(store, volume, adapter, host, mountPointName);
        }
        catch
        {
            host?.Dispose();
            volume?.Dispose();
            store.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _host.Dispose();
        _volume.Dispose();
        _store.Dispose();
    }
}
