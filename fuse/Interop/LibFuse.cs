using System.Runtime.InteropServices;

namespace Layered.Fuse.Interop;

/// <summary>
/// The entry points of libfuse3.so.3 this host uses, as unmanaged function pointers resolved once.
/// Two functions are versioned in libfuse 3.14 and are bound to an exact symbol version with
/// dlvsym, so the ABI never depends on which version a plain lookup happens to return:
/// fuse_new@FUSE_3.1 (takes op_size, so a shorter fuse_operations from an older header is safe)
/// and fuse_loop_mt@FUSE_3.12 (takes the opaque fuse_loop_config built by fuse_loop_cfg_*).
/// </summary>
internal static unsafe class LibFuse
{
    public const string LibraryName = "libfuse3.so.3";

    private static readonly object Gate = new();
    private static bool _loaded;

    public static delegate* unmanaged<FuseArgs*, FuseOperations*, nuint, nint, nint> New;
    public static delegate* unmanaged<nint, byte*, int> Mount;
    public static delegate* unmanaged<nint, void> Unmount;
    public static delegate* unmanaged<nint, void> Destroy;
    public static delegate* unmanaged<nint, void> Exit;
    public static delegate* unmanaged<nint, nint, int> LoopMt;
    public static delegate* unmanaged<nint> LoopConfigCreate;
    public static delegate* unmanaged<nint, void> LoopConfigDestroy;
    public static delegate* unmanaged<nint, uint, void> LoopConfigSetIdleThreads;
    public static delegate* unmanaged<nint, uint, void> LoopConfigSetMaxThreads;
    public static delegate* unmanaged<nint, uint, void> LoopConfigSetCloneFd;
    public static delegate* unmanaged<FuseContext*> GetContext;
    public static delegate* unmanaged<nint, byte*, int> InvalidatePath;
    public static delegate* unmanaged<FuseArgs*, byte*, int> OptAddArg;
    public static delegate* unmanaged<FuseArgs*, void> OptFreeArgs;
    public static delegate* unmanaged<delegate* unmanaged<int, byte*, nint, void>, void> SetLogFunc;
    public static delegate* unmanaged<nint, nint> GetSession;
    public static delegate* unmanaged<nint, int> SessionFd;
    public static delegate* unmanaged<nint, void*, int, int> SessionCustomIo;

    /// <summary>Loads libfuse3 once; throws <see cref="FuseMountException"/> with a one-line reason if it cannot.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }

            if (!NativeLibrary.TryLoad(LibraryName, out nint library))
            {
                throw new FuseMountException(FuseMountError.LibraryMissing,
                    $"libfuse3 is not installed: {LibraryName} could not be loaded (install the Debian package fuse3).");
            }

            New = (delegate* unmanaged<FuseArgs*, FuseOperations*, nuint, nint, nint>)Versioned(library, "fuse_new", "FUSE_3.1");
            LoopMt = (delegate* unmanaged<nint, nint, int>)Versioned(library, "fuse_loop_mt", "FUSE_3.12");
            Mount = (delegate* unmanaged<nint, byte*, int>)Export(library, "fuse_mount");
            Unmount = (delegate* unmanaged<nint, void>)Export(library, "fuse_unmount");
            Destroy = (delegate* unmanaged<nint, void>)Export(library, "fuse_destroy");
            Exit = (delegate* unmanaged<nint, void>)Export(library, "fuse_exit");
            LoopConfigCreate = (delegate* unmanaged<nint>)Export(library, "fuse_loop_cfg_create");
            LoopConfigDestroy = (delegate* unmanaged<nint, void>)Export(library, "fuse_loop_cfg_destroy");
            LoopConfigSetIdleThreads = (delegate* unmanaged<nint, uint, void>)Export(library, "fuse_loop_cfg_set_idle_threads");
            LoopConfigSetMaxThreads = (delegate* unmanaged<nint, uint, void>)Export(library, "fuse_loop_cfg_set_max_threads");
            LoopConfigSetCloneFd = (delegate* unmanaged<nint, uint, void>)Export(library, "fuse_loop_cfg_set_clone_fd");
            GetContext = (delegate* unmanaged<FuseContext*>)Export(library, "fuse_get_context");
            InvalidatePath = (delegate* unmanaged<nint, byte*, int>)Export(library, "fuse_invalidate_path");
            OptAddArg = (delegate* unmanaged<FuseArgs*, byte*, int>)Export(library, "fuse_opt_add_arg");
            OptFreeArgs = (delegate* unmanaged<FuseArgs*, void>)Export(library, "fuse_opt_free_args");
            SetLogFunc = (delegate* unmanaged<delegate* unmanaged<int, byte*, nint, void>, void>)Export(library, "fuse_set_log_func");
            GetSession = (delegate* unmanaged<nint, nint>)Export(library, "fuse_get_session");
            SessionFd = (delegate* unmanaged<nint, int>)Export(library, "fuse_session_fd");
            // Since libfuse 3.13; older libraries mount without the kill-privileges delegation.
            SessionCustomIo = NativeLibrary.TryGetExport(library, "fuse_session_custom_io", out nint customIo)
                ? (delegate* unmanaged<nint, void*, int, int>)customIo : null;

            // Route libfuse's own messages (bad options, mount failures) into ILogger instead of stderr.
            SetLogFunc(&FuseLog.Write);
            _loaded = true;
        }
    }

    private static nint Export(nint library, string name)
    {
        if (!NativeLibrary.TryGetExport(library, name, out nint address))
        {
            throw new FuseMountException(FuseMountError.LibraryMissing,
                $"{LibraryName} has no symbol {name}: libfuse 3.12 or newer is required.");
        }

        return address;
    }

    private static nint Versioned(nint library, string name, string version)
    {
        nint address = LibC.dlvsym(library, name, version);
        if (address == 0)
        {
            throw new FuseMountException(FuseMountError.LibraryMissing,
                $"{LibraryName} has no symbol {name}@{version}: libfuse 3.12 or newer is required.");
        }

        return address;
    }
}
