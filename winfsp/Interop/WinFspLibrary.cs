using System.Runtime.InteropServices;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Interop;

/// <summary>
/// The loaded winfsp DLL: located through the registry, loaded by full path with NativeLibrary.Load,
/// exports bound, version checked. Loaded once per process and never unloaded (file systems and their
/// dispatcher threads may outlive any single owner).
/// </summary>
public sealed unsafe class WinFspLibrary
{
    private WinFspLibrary(string path, nint handle, WinFspApi api, Version version)
    {
        Path = path;
        Handle = handle;
        Api = api;
        Version = version;
    }

    public string Path { get; }

    public nint Handle { get; }

    public WinFspApi Api { get; }

    public Version Version { get; }

    /// <summary>
    /// Loads the installed WinFsp DLL for this process's architecture.
    /// </summary>
    /// <exception cref="WinFspNotInstalledException">WinFsp is missing, incomplete, unloadable or the wrong version.</exception>
    public static WinFspLibrary Load(IRegistryReader registry)
    {
        string path = WinFspInstallation.LocateDll(registry, RuntimeInformation.ProcessArchitecture);
        nint handle;
        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (Exception exception) when (exception is DllNotFoundException or BadImageFormatException)
        {
            throw new WinFspNotInstalledException(
                $"WinFsp's DLL at '{path}' could not be loaded ({NtStatus.Describe(NtStatus.DllNotFound)}): {exception.Message}", exception);
        }

        WinFspApi api = WinFspApi.Bind(path, name => NativeLibrary.TryGetExport(handle, name, out nint address) ? address : 0);
        uint packed;
        int status = api.FspVersion(&packed);
        if (!NtStatus.IsSuccess(status))
        {
            throw new WinFspNotInstalledException($"FspVersion of '{path}' failed: {NtStatus.Describe(status)}.");
        }

        Version version = WinFspVersion.Check(path, packed);
        return new WinFspLibrary(path, handle, api, version);
    }
}
