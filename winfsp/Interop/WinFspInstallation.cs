using System.Runtime.InteropServices;

namespace Layered.WinFsp.Interop;

/// <summary>
/// Finds the installed winfsp-&lt;arch&gt;.dll the way WinFsp's own FspLoad does: the REG_SZ value
/// InstallDir under HKLM\SOFTWARE\WinFsp in the 32-bit view, then <c>&lt;InstallDir&gt;bin\winfsp-x64.dll</c>
/// (or -a64). Deliberately no search-path lookup: a copy next to our executable would be picked first,
/// and the DLL must match the installed driver (winfsp#200).
/// </summary>
public static class WinFspInstallation
{
    /// <summary>The key WinFsp's installer writes (32-bit view).</summary>
    public const string RegistryKey = @"SOFTWARE\WinFsp";
    public const string InstallDirValue = "InstallDir";

    /// <summary>The DLL name for a process architecture; only 64-bit processes are supported.</summary>
    public static string DllName(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "winfsp-x64.dll",
        Architecture.Arm64 => "winfsp-a64.dll",
        _ => throw new PlatformNotSupportedException(
            $"Layered's WinFsp interop supports x64 and ARM64 processes; this process is {architecture}."),
    };

    /// <summary>
    /// The full path of the installed DLL for <paramref name="architecture"/>.
    /// </summary>
    /// <exception cref="WinFspNotInstalledException">The registry value or the DLL file is missing.</exception>
    public static string LocateDll(IRegistryReader registry, Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(registry);
        string dllName = DllName(architecture);
        string? installDir = registry.GetString(RegistryKey, InstallDirValue);
        if (string.IsNullOrWhiteSpace(installDir))
        {
            throw new WinFspNotInstalledException(
                $"WinFsp is not installed: the registry value HKLM\\{RegistryKey}\\{InstallDirValue} (32-bit view, " +
                $"HKLM\\SOFTWARE\\WOW6432Node\\WinFsp on 64-bit Windows) is missing. Install WinFsp 2.x from https://winfsp.dev/rel/ and try again.");
        }

        // InstallDir ends in a backslash; FspLoad simply appends "bin\...". Accept it without one too.
        string dllPath = Path.Join(installDir.TrimEnd('\\', '/'), "bin", dllName);
        if (!File.Exists(dllPath))
        {
            throw new WinFspNotInstalledException(
                $"WinFsp's DLL was not found at '{dllPath}' (from HKLM\\{RegistryKey}\\{InstallDirValue} = '{installDir}'). " +
                "The WinFsp installation is incomplete or lacks the component for this architecture; reinstall WinFsp.");
        }

        return dllPath;
    }
}
