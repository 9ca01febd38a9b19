namespace Layered.WinFsp.Interop;

/// <summary>
/// Reads string values under HKEY_LOCAL_MACHINE in the 32-bit registry view, where WinFsp keeps its
/// settings on x64 and ARM64 (HKLM\SOFTWARE\WOW6432Node\WinFsp). A seam so locating WinFsp is testable
/// without Windows.
/// </summary>
public interface IRegistryReader
{
    /// <summary>The REG_SZ value, or null if the key or the value does not exist.</summary>
    /// <param name="keyPath">Path under HKLM as seen from the 32-bit view, e.g. <c>SOFTWARE\WinFsp</c>.</param>
    string? GetString(string keyPath, string valueName);
}
