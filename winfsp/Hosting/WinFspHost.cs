using System.Runtime.Versioning;
using Layered.WinFsp.Callbacks;
using Layered.WinFsp.Interop;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Hosting;

/// <summary>
/// One mounted WinFsp volume: create the file system with Layered's volume parameters, attach the
/// managed file system, set the guard strategy, the mount point and start the dispatcher; at unmount
/// stop the dispatcher, delete the file system, close the contexts WinFsp abandoned, and only then free
/// the interface table and the context handle (the DLL holds pointers to both until Delete).
/// </summary>
[SupportedOSPlatform("windows")]
public sealed unsafe class WinFspHost : IDisposable
{
    private readonly WinFspLibrary _library;
    private readonly WinFspFileSystemBase _fileSystem;
    private readonly VolumeOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private FspFileSystemHeader* _native;
    private InterfaceTable? _table;
    private FileSystemContext? _context;
    private bool _dispatcherRunning;

    public WinFspHost(WinFspLibrary library, WinFspFileSystemBase fileSystem, VolumeOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (!OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("WinFsp volumes can be mounted only on Windows.");
        }

        _library = library;
        _fileSystem = fileSystem;
        _options = options;
        _logger = logger;
    }

    /// <summary>The mount point WinFsp actually used (the chosen letter for "*:"); null when not mounted.</summary>
    public string? MountPointName { get; private set; }

    /// <summary>
    /// Mounts the volume and starts serving requests.
    /// </summary>
    /// <param name="dispatcherThreads">0 lets WinFsp choose (CPUs, clamped to 4..16).</param>
    /// <param name="debugLogMask">FspFileSystemSetDebugLogF mask (bit 1 &lt;&lt; request kind); 0 = off.</param>
    /// <returns>The mount point in use.</returns>
    /// <exception cref="WinFspException">A WinFsp step failed; everything done so far is undone.</exception>
    public string Mount(MountPoint mountPoint, uint dispatcherThreads = 0, uint debugLogMask = 0)
    {
        ArgumentNullException.ThrowIfNull(mountPoint);
        lock (_gate)
        {
            if (_native is not null)
            {
                throw new InvalidOperationException($"The volume is already mounted on {MountPointName}.");
            }

            if (_options.IsNetwork && mountPoint.Kind == MountPointKind.Directory)
            {
                throw new ArgumentException($"Mount point '{mountPoint}': a network volume can be mounted only on a drive letter.", nameof(mountPoint));
            }

            WinFspApi api = _library.Api;
            FspVolumeParams volumeParams = VolumeParameters.Build(_options);
            _table = InterfaceTable.Create();
            try
            {
                FspFileSystemHeader* native;
                int status;
                fixed (char* device = VolumeParameters.DevicePath(_options))
                {
                    status = api.FspFileSystemCreate(device, &volumeParams, _table.Pointer, &native);
                }

                Check(nameof(api.FspFileSystemCreate), status);
                _native = native;
                _context = FileSystemContext.Attach(native, _fileSystem);
                _fileSystem.ReparseNatives = new ReparseNatives(api);
                api.FspFileSystemSetOperationGuardStrategyF(native, (int)OperationGuardStrategy.Fine);
                if (debugLogMask != 0)
                {
                    api.FspFileSystemSetDebugLogF(native, debugLogMask);
                }

                fixed (char* text = mountPoint.Text)
                {
                    Check(nameof(api.FspFileSystemSetMountPoint), api.FspFileSystemSetMountPoint(native, text));
                }

                Check(nameof(api.FspFileSystemStartDispatcher), api.FspFileSystemStartDispatcher(native, dispatcherThreads));
                _dispatcherRunning = true;
                char* used = api.FspFileSystemMountPointF(native);
                MountPointName = used is null ? mountPoint.Text : new string(used);
                _logger.LogInformation("Mounted WinFsp volume on {MountPoint} (WinFsp {Version})", MountPointName, _library.Version);
                return MountPointName;
            }
            catch
            {
                TearDown();
                throw;
            }
        }
    }

    /// <summary>Unmounts; safe to call more than once.</summary>
    public void Unmount()
    {
        lock (_gate)
        {
            if (_native is null && _table is null)
            {
                return;
            }

            string? mountPoint = MountPointName;
            TearDown();
            _logger.LogInformation("Unmounted WinFsp volume from {MountPoint}", mountPoint);
        }
    }

    public void Dispose() => Unmount();

    private void TearDown()
    {
        WinFspApi api = _library.Api;
        if (_native is not null)
        {
            if (_dispatcherRunning)
            {
                // Joins every dispatcher thread: no callback runs after this returns.
                api.FspFileSystemStopDispatcher(_native);
                _dispatcherRunning = false;
            }

            api.FspFileSystemDelete(_native);
            _native = null;
        }

        int abandoned = _fileSystem.CloseAbandonedContexts();
        if (abandoned > 0)
        {
            _logger.LogInformation("Closed {Count} file contexts WinFsp left open at unmount", abandoned);
        }

        _fileSystem.ReparseNatives = null;
        _context?.Dispose();
        _context = null;
        _table?.Dispose();
        _table = null;
        MountPointName = null;
    }

    private static void Check(string operation, int status)
    {
        if (!NtStatus.IsSuccess(status))
        {
            throw new WinFspException(operation, status);
        }
    }
}
