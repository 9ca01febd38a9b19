using System.Runtime.Versioning;
using Microsoft.Win32;

namespace Layered.WinFsp.Interop;

/// <summary>
/// The real registry: HKLM opened in the 32-bit view (RegistryView.Registry32), so on 64-bit Windows
/// <c>SOFTWARE\WinFsp</c> lands in <c>SOFTWARE\WOW6432Node\WinFsp</c> as WinFsp expects.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class WindowsRegistry : IRegistryReader, IRegistryWriter
{
    public string? GetString(string keyPath, string valueName)
    {
        using RegistryKey hklm = OpenLocalMachine32();
        using RegistryKey? key = hklm.OpenSubKey(keyPath, writable: false);
        return key?.GetValue(valueName) as string;
    }

    public void SetString(string keyPath, string valueName, string value)
    {
        using RegistryKey hklm = OpenLocalMachine32();
        using RegistryKey key = hklm.CreateSubKey(keyPath, writable: true);
        key.SetValue(valueName, value, RegistryValueKind.String);
    }

    public void SetDWord(string keyPath, string valueName, uint value)
    {
        using RegistryKey hklm = OpenLocalMachine32();
        using RegistryKey key = hklm.CreateSubKey(keyPath, writable: true);
        key.SetValue(valueName, unchecked((int)value), RegistryValueKind.DWord);
    }

    public bool DeleteKeyTree(string keyPath)
    {
        using RegistryKey hklm = OpenLocalMachine32();
        using (RegistryKey? existing = hklm.OpenSubKey(keyPath, writable: false))
        {
            if (existing is null)
            {
                return false;
            }
        }

        hklm.DeleteSubKeyTree(keyPath, throwOnMissingSubKey: false);
        return true;
    }

    private static RegistryKey OpenLocalMachine32() => RegistryKey.OpenBaseKey(RegistryHive.LocalMachine, RegistryView.Registry32);
}
