using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Layered.Fuse.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Fuse;

/// <summary>
/// Mounts an <see cref="IFuseFileSystem"/> with libfuse3 and serves it on libfuse's
/// multithreaded loop until stopped.
/// </summary>
/// <remarks>
/// Why the high-level (path-based, fuse.h) API and not the low-level (inode-based) one:
/// the engine addresses files by path and by its own open-file handles, so the path API maps onto
/// it directly, and libfuse keeps the inode/lookup-count bookkeeping (FORGET, nodeid generation)
/// that we would otherwise have to rebuild. Its costs are avoided with its options:
/// <c>nullpath_ok</c> (read, write, fsync, flush, release and readdir carry only our 64-bit handle,
/// so the hot path builds no path string) and <c>use_ino</c> (the engine's stable inode numbers
/// reach user space). <c>hard_remove</c> is deliberately off: with it, fstat of an unlinked open
/// file fails (the kernel's GETATTR carries no handle and libfuse has no path); instead libfuse's
/// rename-to-.fuse_hidden protocol is intercepted by <see cref="UnlinkedOpenFiles"/>, so the file
/// system still sees a plain unlink of an open file and never a hidden name. The remaining cost, a path lookup in libfuse's
/// node table for path-based calls, is a hash walk in C.
/// Lifetime: <see cref="Mount"/> returns once the kernel's INIT has been answered (the mount is
/// live); <see cref="RequestStop"/> (also wired to SIGINT/SIGTERM by
/// <see cref="HandleTerminationSignals"/>) ends the loop, then the loop thread unmounts, runs the
/// file system's Destroy inside fuse_destroy, and completes <see cref="Completion"/>.
/// </remarks>
public sealed unsafe class FuseHost : IDisposable
{
    private const int Running = 0;
    private const int Stopping = 1;
    private const int Stopped = 2;

    private readonly FuseMountOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GCHandle _self;
    private FuseOperations* _operations;
    private FuseArgs* _arguments;
    private nint _fuse;
    private int _state = Running;
    private bool _loopStarted;
    private KillPrivNegotiation.Outcome? _killPrivileges;

    /// <summary>
    /// Whether the kernel granted FUSE_HANDLE_KILLPRIV_V2 (<see cref="FuseMountOptions.KillPrivilegesInFileSystem"/>):
    /// the file system, not the kernel, clears set-user-ID and set-group-ID on write, truncate and chown.
    /// Known once the mount is ready.
    /// </summary>
    public bool KillsPrivilegesInFileSystem => _killPrivileges?.Granted == true;
    private long _callbackFailures;
    private FuseConnectionInfo _connection;

    private FuseHost(IFuseFileSystem fileSystem, FuseMountOptions options, string mountPoint, ILogger logger)
    {
        FileSystem = fileSystem;
        _options = options;
        fileSystem.Configure(options);
        MountPoint = mountPoint;
        _logger = logger;
        fileSystem.AttachKernelCache(InvalidatePathLater);
    }

    /// <summary>
    /// <see cref="InvalidatePath"/> on a pool thread: a request handler may ask, and the kernel may wait for pages
    /// that request's own writer holds locked until the handler answers.
    /// </summary>
    private void InvalidatePathLater(string path) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (host, target) = state;
            int result = host.InvalidatePath(target);
            if (result != 0 && result != -Errno.ENOENT && result != -Errno.ENOTCONN)
                host._logger.LogWarning("Invalidating the kernel's cache of {Path} failed ({Errno})", target, -result);
        }, (this, path), preferLocal: false);

    /// <summary>The absolute path the file system is mounted on.</summary>
    public string MountPoint { get; }

    /// <summary>Completes (with libfuse's loop result, 0 for a clean exit) after unmount and teardown.</summary>
    public Task<int> Completion => _completion.Task;

    /// <summary>The connection parameters as the file system's init left them (what was asked of the kernel).</summary>
    public FuseConnectionInfo Connection => _connection;

    /// <summary>Exceptions caught in callbacks so far (each was answered with EIO).</summary>
    public long CallbackFailures => Interlocked.Read(ref _callbackFailures);

    internal IFuseFileSystem FileSystem { get; }

    internal UnlinkedOpenFiles UnlinkedFiles { get; } = new();

    /// <summary>
    /// Checks the environment and the mount point, mounts, starts the request loop and returns once
    /// the mount is live. Throws <see cref="FuseMountException"/> with a one-line reason on failure.
    /// </summary>
    public static FuseHost Mount(IFuseFileSystem fileSystem, FuseMountOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;

        if (!OperatingSystem.IsLinux())
        {
            throw new FuseMountException(FuseMountError.UnsupportedPlatform, "The FUSE host runs on Linux only.");
        }

        try
        {
            NativeStat.EnsureSupportedArchitecture();
        }
        catch (PlatformNotSupportedException e)
        {
            throw new FuseMountException(FuseMountError.UnsupportedPlatform, e.Message, e);
        }

        options.Validate();
        string mountPoint = MountPointValidator.Validate(options.MountPoint);
        LibFuse.EnsureLoaded();

        var host = new FuseHost(fileSystem, options, mountPoint, logger);
        try
        {
            host.Start();
        }
        catch
        {
            // Once the loop thread runs, its teardown owns the native memory libfuse still uses.
            if (!host._loopStarted)
            {
                host.ReleaseNativeResources();
            }

            throw;
        }

        return host;
    }

    /// <summary>
    /// Asks the loop to end; returns at once. Safe to call from any thread, a signal handler or
    /// repeatedly. Open files of other processes then fail with ENOTCONN.
    /// </summary>
    public void RequestStop()
    {
        lock (_gate)
        {
            if (_state != Running)
            {
                return;
            }

            _state = Stopping;
            LibFuse.Exit(_fuse);
        }

        _logger.LogInformation("Stopping FUSE mount at {MountPoint}", MountPoint);

        // fuse_exit only sets a flag; the loop threads sit in read() on /dev/fuse. One request
        // through the mount wakes a worker, which sees the flag, leaves the loop and lets libfuse
        // end the rest. statfs is never answered from a kernel cache, so it always gets there.
        // The request itself stays unanswered until teardown closes the device, hence its own thread.
        var wake = new Thread(static state =>
        {
            FileSystemStatistics ignored;
            LibC.statvfs((string)state!, &ignored);
        })
        {
            IsBackground = true,
            Name = "fuse-stop-wake",
        };
        wake.Start(MountPoint);
    }

    /// <summary>Waits until the host has unmounted and torn down; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout) => Completion.Wait(timeout);

    /// <summary>
    /// Makes SIGINT, SIGTERM and SIGHUP stop this mount cleanly instead of killing the process.
    /// Dispose the result to restore the default handling.
    /// </summary>
    public IDisposable HandleTerminationSignals()
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _logger.LogInformation("Received {Signal}", context.Signal);
                RequestStop();
            }));
        }

        return new SignalRegistrations(registrations);
    }

    /// <summary>
    /// Drops the kernel's cached attributes and data of <paramref name="path"/> (a path inside the
    /// mount, starting with '/'). For changes the kernel cannot know about, such as a write through
    /// another hard-link name. Returns 0 or a negated errno (-ENOENT if libfuse does not know the path).
    /// </summary>
    public int InvalidatePath(string path)
    {
        lock (_gate)
        {
            if (_state == Stopped)
            {
                return -Errno.ENOTCONN;
            }

            byte[] bytes = Encoding.UTF8.GetBytes(path + "\0");
            fixed (byte* native = bytes)
            {
                return LibFuse.InvalidatePath(_fuse, native);
            }
        }
    }

    /// <summary>Stops (if still running) and waits up to <see cref="FuseMountOptions.ShutdownTimeout"/>.</summary>
    public void Dispose()
    {
        RequestStop();
        if (!WaitForExit(_options.ShutdownTimeout))
        {
            _logger.LogError("FUSE mount at {MountPoint} did not shut down within {Timeout}", MountPoint, _options.ShutdownTimeout);
        }
    }

    internal void OnInit(FuseConnectionInfo* connection, FuseConfig* config)
    {
        config->use_ino = 1;
        config->nullpath_ok = 1;
        // Not hard_remove: libfuse must keep a name for an unlinked open file, or fstat of it fails
        // with ESTALE. The hidden name never reaches the file system (UnlinkedOpenFiles).
        config->hard_remove = 0;
        config->entry_timeout = _options.EntryTimeout.TotalSeconds;
        config->negative_timeout = _options.NegativeTimeout.TotalSeconds;
        config->attr_timeout = _options.AttributeTimeout.TotalSeconds;
        // The file system decides caching per open (keep_cache); libfuse must not add its own policy.
        config->kernel_cache = 0;
        config->auto_cache = 0;
        config->direct_io = 0;

        if (_killPrivileges is not null)
            _killPrivileges.KernelMinor = connection->ProtocolMinor;
        connection->MaxWrite = _options.MaxWrite;
        if (_options.WritebackCache && (connection->Capable & FuseCapabilities.WritebackCache) != 0)
            connection->Want |= FuseCapabilities.WritebackCache;
        bool killPrivileges = _killPrivileges is not null && connection->ProtocolMinor >= KillPrivNegotiation.MinimumMinor;
        if (killPrivileges)
            connection->Want |= FuseCapabilities.HandleKillprivV2;
        FileSystem.Init(ref *connection);
        connection->Want &= ~FuseCapabilities.HandleKillprivV2;
        _connection = *connection;

        _logger.LogInformation(
            "FUSE session up: protocol {Major}.{Minor}, max_write {MaxWrite}, max_readahead {MaxReadahead}, capable 0x{Capable:x}, want 0x{Want:x}",
            connection->ProtocolMajor, connection->ProtocolMinor, connection->MaxWrite, connection->MaxReadahead,
            connection->Capable, connection->Want);
        _ready.TrySetResult();
        if (_options.InitAnswerDelayForTests > TimeSpan.Zero)
            Thread.Sleep(_options.InitAnswerDelayForTests);
    }

    internal void OnInitFailed(Exception exception)
    {
        _logger.LogError(exception, "File system init failed at {MountPoint}", MountPoint);
        _ready.TrySetException(new FuseMountException(FuseMountError.InitFailed,
            $"The file system failed to start at '{MountPoint}': {exception.Message}", exception));
        RequestStopAfterFailedInit();
    }

    internal void ReportCallbackFailure(Exception exception, string operation)
    {
        Interlocked.Increment(ref _callbackFailures);
        try
        {
            _logger.LogError(exception, "FUSE {Operation} failed with an exception; answered EIO", operation);
        }
        catch (Exception)
        {
            // A failing logger must not take the request thread down with it.
        }
    }

    private void RequestStopAfterFailedInit()
    {
        // Called on a loop thread inside init: only the flag may be set here; the wake request of
        // RequestStop would be queued behind INIT's own reply, which is fine, but keep it simple.
        lock (_gate)
        {
            if (_state == Running)
            {
                _state = Stopping;
                LibFuse.Exit(_fuse);
            }
        }
    }

    private void Start()
    {
        FuseLog.Register(_logger);
        _self = GCHandle.Alloc(this);
        _operations = (FuseOperations*)NativeMemory.AllocZeroed((nuint)sizeof(FuseOperations));
        *_operations = FuseCallbacks.CreateOperations();
        _arguments = (FuseArgs*)NativeMemory.AllocZeroed((nuint)sizeof(FuseArgs));

        foreach (string argument in BuildArguments())
        {
            AddArgument(argument);
        }

        FuseLog.TakeLastError();
        _fuse = LibFuse.New(_arguments, _operations, (nuint)sizeof(FuseOperations), GCHandle.ToIntPtr(_self));
        if (_fuse == 0)
        {
            string reason = FuseLog.TakeLastError() ?? "libfuse rejected the options";
            throw new FuseMountException(FuseMountError.OptionsRejected,
                $"Cannot mount '{MountPoint}': {reason} (options: {string.Join(' ', BuildArguments().Skip(1))}).");
        }

        byte[] path = Encoding.UTF8.GetBytes(MountPoint + "\0");
        int mounted;
        fixed (byte* native = path)
        {
            mounted = LibFuse.Mount(_fuse, native);
        }

        if (mounted != 0)
        {
            string reason = FuseLog.TakeLastError() ?? "fuse_mount failed";
            throw new FuseMountException(FuseMountError.MountFailed, $"Cannot mount '{MountPoint}': {reason}.");
        }

        if (_options.KillPrivilegesInFileSystem)
        {
            _killPrivileges = KillPrivNegotiation.Install(_fuse, out string? whyNot);
            if (_killPrivileges is null)
                _logger.LogWarning("FUSE_HANDLE_KILLPRIV_V2 not offered at {MountPoint}: {Reason}", MountPoint, whyNot);
        }

        var loop = new Thread(RunLoop) { Name = "fuse-loop", IsBackground = true };
        loop.Start();
        _loopStarted = true;

        int finished = Task.WaitAny([_ready.Task, _completion.Task], _options.ReadyTimeout);
        if (finished != 0 || !_ready.Task.IsCompletedSuccessfully)
        {
            RequestStop();
            WaitForExit(_options.ShutdownTimeout);
            if (_ready.Task.Exception?.InnerException is FuseMountException initFailure)
            {
                throw initFailure;
            }

            throw new FuseMountException(FuseMountError.MountFailed,
                finished < 0
                    ? $"Mounting '{MountPoint}' did not complete within {_options.ReadyTimeout.TotalSeconds:0} s (the kernel never sent INIT)."
                    : $"The FUSE session at '{MountPoint}' ended before it was ready.");
        }

        ApplyReadAhead();
        _killPrivileges?.Decided.Wait(_options.ReadyTimeout);
        _logger.LogInformation("Mounted FUSE file system at {MountPoint}; set-id bits killed by {Killer} (INIT reply: {Init})", MountPoint,
            KillsPrivilegesInFileSystem ? "the file system (FUSE_HANDLE_KILLPRIV_V2)" : "the kernel", _killPrivileges?.Detail ?? "not offered");
    }

    private List<string> BuildArguments()
    {
        var mountOptions = new List<string>
        {
            "fsname=" + EscapeOption(_options.FileSystemName),
            "subtype=" + EscapeOption(_options.Subtype),
        };
        if (_options.KernelChecksPermissions)
        {
            mountOptions.Add("default_permissions");
        }

        if (_options.AllowOther)
        {
            mountOptions.Add("allow_other");
        }

        mountOptions.Add(_options.ReadOnly ? "ro" : "rw");
        mountOptions.AddRange(_options.ExtraOptions);

        var arguments = new List<string> { "layered", "-o", string.Join(',', mountOptions) };
        if (_options.Debug)
        {
            arguments.Add("-d");
        }

        return arguments;
    }

    // fuse_opt splits -o values on ',' and treats '\' as an escape.
    private static string EscapeOption(string value) => value.Replace("\\", "\\\\").Replace(",", "\\,");

    private void AddArgument(string argument)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(argument + "\0");
        fixed (byte* native = bytes)
        {
            if (LibFuse.OptAddArg(_arguments, native) != 0)
            {
                throw new OutOfMemoryException("libfuse could not store a mount argument.");
            }
        }
    }

    private void RunLoop()
    {
        int result = -1;
        try
        {
            nint config = LibFuse.LoopConfigCreate();
            try
            {
                LibFuse.LoopConfigSetCloneFd(config, _options.CloneFd ? 1u : 0u);
                LibFuse.LoopConfigSetMaxThreads(config, _options.MaxThreads);
                LibFuse.LoopConfigSetIdleThreads(config, _options.MaxIdleThreads ?? _options.MaxThreads);
                result = LibFuse.LoopMt(_fuse, config);
            }
            finally
            {
                LibFuse.LoopConfigDestroy(config);
            }

            if (result != 0)
            {
                _logger.LogWarning("FUSE loop at {MountPoint} ended with {Result}", MountPoint, result);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "FUSE loop at {MountPoint} failed", MountPoint);
        }
        finally
        {
            TearDown();
            _completion.TrySetResult(result);
        }
    }

    private void TearDown()
    {
        lock (_gate)
        {
            _state = Stopped;
        }

        try
        {
            // Unmounts lazily (umount2 MNT_DETACH as root, fusermount3 -u -z otherwise) unless the
            // kernel already dropped the connection; then fuse_destroy runs the file system's Destroy.
            LibFuse.Unmount(_fuse);
            KillPrivNegotiation.Forget(_fuse);
            LibFuse.Destroy(_fuse);
            _fuse = 0;
            _logger.LogInformation("Unmounted FUSE file system at {MountPoint}", MountPoint);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Tearing down the FUSE mount at {MountPoint} failed", MountPoint);
        }
        finally
        {
            _ready.TrySetException(new FuseMountException(FuseMountError.MountFailed, $"The FUSE session at '{MountPoint}' ended."));
            _ = _ready.Task.Exception; // observed: the state is reported through Completion
            ReleaseNativeResources();
        }
    }

    private void ReleaseNativeResources()
    {
        lock (_gate)
        {
            _state = Stopped;
            if (_fuse != 0)
            {
                // Start failed after fuse_new (mount failed): nothing is mounted, destroy the handle.
                KillPrivNegotiation.Forget(_fuse);
                LibFuse.Destroy(_fuse);
                _fuse = 0;
            }

            if (_arguments != null)
            {
                LibFuse.OptFreeArgs(_arguments);
                NativeMemory.Free(_arguments);
                _arguments = null;
            }

            if (_operations != null)
            {
                NativeMemory.Free(_operations);
                _operations = null;
            }

            if (_self.IsAllocated)
            {
                _self.Free();
                FuseLog.Unregister(_logger);
            }
        }
    }

    /// <remarks>
    /// The kernel sets the connection's readahead to the smaller of the bdi's value and the one libfuse answers INIT
    /// with (128 KiB) when it processes that answer, which libfuse sends after the INIT callback that made the mount
    /// ready. A value written before then was undone in most mounts (6 of 8 seen), and streaming reads arrived in
    /// 128 KiB requests. A STATFS request waits in the kernel until the INIT answer has been processed, so one goes
    /// first.
    /// </remarks>
    private void ApplyReadAhead()
    {
        if (_options.ReadAheadKiB == 0)
        {
            return;
        }

        FileSystemStatistics statistics;
        if (LibC.statvfs(MountPoint, &statistics) != 0)
        {
            _logger.LogDebug("statvfs of {MountPoint} before setting its readahead failed (errno {Errno})", MountPoint, Marshal.GetLastPInvokeError());
        }

        try
        {
            MountEntry? entry = MountTable.Find(MountPoint);
            if (entry is null)
            {
                return;
            }

            string setting = $"/sys/class/bdi/{entry.DeviceMajor}:{entry.DeviceMinor}/read_ahead_kb";
            File.WriteAllText(setting, _options.ReadAheadKiB.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _logger.LogDebug("Set {Setting} to {Value}", setting, _options.ReadAheadKiB);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not raise the readahead window of {MountPoint} ({Reason}); streaming reads use the kernel default", MountPoint, e.Message);
        }
    }

    private sealed class SignalRegistrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (PosixSignalRegistration registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
