namespace Layered.WinFsp.Interop;

/// <summary>
/// The DLL version check. Layered's structures follow WinFsp 2.x (504-byte VOLUME_PARAMS, the v2 interface
/// with DispatcherStopped), so the DLL's major version must be 2, as the official binding requires the
/// major version it was built for.
/// </summary>
public static class WinFspVersion
{
    public const int SupportedMajor = 2;

    /// <summary>Splits FspVersion's (major &lt;&lt; 16) | minor.</summary>
    public static Version FromPacked(uint packed) => new((int)(packed >> 16), (int)(packed & 0xFFFF));

    /// <exception cref="WinFspNotInstalledException">The installed WinFsp has another major version.</exception>
    public static Version Check(string libraryPath, uint packed)
    {
        Version version = FromPacked(packed);
        if (version.Major != SupportedMajor)
        {
            throw new WinFspNotInstalledException(
                $"'{libraryPath}' is WinFsp {version.Major}.{version.Minor}; Layered needs WinFsp {SupportedMajor}.x. Install WinFsp {SupportedMajor}.x.");
        }

        return version;
    }
}
