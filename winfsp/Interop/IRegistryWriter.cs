namespace Layered.WinFsp.Interop;

/// <summary>
/// Writes values under HKEY_LOCAL_MACHINE in the 32-bit registry view (where the WinFsp launcher reads
/// its service records). A seam so the launcher registration is testable without Windows.
/// </summary>
public interface IRegistryWriter
{
    /// <summary>Creates the key if needed and sets a REG_SZ value.</summary>
    void SetString(string keyPath, string valueName, string value);

    /// <summary>Creates the key if needed and sets a REG_DWORD value.</summary>
    void SetDWord(string keyPath, string valueName, uint value);

    /// <summary>Deletes a key and everything under it; false if it did not exist.</summary>
    bool DeleteKeyTree(string keyPath);
}
