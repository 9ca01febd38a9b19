using Layered.WinFsp.Interop;

namespace Layered.WinFsp.Launcher;

/// <summary>
/// Writes and removes the WinFsp launcher record through an <see cref="IRegistryWriter"/> (the real one
/// is <see cref="WindowsRegistry"/>, which writes the 32-bit view so the record lands in
/// HKLM\SOFTWARE\WOW6432Node\WinFsp\Services on 64-bit Windows, where the launcher reads it).
/// </summary>
public static class LauncherRegistration
{
    public const string ServicesKey = @"SOFTWARE\WinFsp\Services";

    private static readonly string[] RunAsValues = ["LocalSystem", "LocalService", "NetworkService", "."];

    /// <summary>The record's key for a class name.</summary>
    public static string KeyOf(string className) => ServicesKey + "\\" + className;

    /// <summary>
    /// Replaces the record for <see cref="LauncherRecord.ClassName"/>: the old key is removed first so
    /// no value from an earlier registration lingers.
    /// </summary>
    /// <exception cref="ArgumentException">A field is invalid (the message names it).</exception>
    public static void Register(IRegistryWriter registry, LauncherRecord record)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(record);
        Validate(record);

        string key = KeyOf(record.ClassName);
        registry.DeleteKeyTree(key);
        registry.SetString(key, "Executable", record.Executable);
        registry.SetString(key, "CommandLine", record.CommandLine);
        if (record.WorkDirectory is not null)
        {
            registry.SetString(key, "WorkDirectory", record.WorkDirectory);
        }

        registry.SetString(key, "RunAs", record.RunAs);
        registry.SetString(key, "Security", record.Security);
        registry.SetDWord(key, "JobControl", record.JobControl ? 1u : 0u);
        registry.SetDWord(key, "Credentials", (uint)record.Credentials);
        if (record.Stderr is not null)
        {
            registry.SetString(key, "Stderr", record.Stderr);
        }
    }

    /// <summary>Removes the record; false if there was none.</summary>
    public static bool Unregister(IRegistryWriter registry, string className = LauncherRecord.DefaultClassName)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ValidateClassName(className);
        return registry.DeleteKeyTree(KeyOf(className));
    }

    private static void Validate(LauncherRecord record)
    {
        ValidateClassName(record.ClassName);
        if (!IsWindowsFullPath(record.Executable))
        {
            throw new ArgumentException(
                $"Launcher Executable '{record.Executable}' must be a full Windows path (e.g. C:\\Program Files\\Layered\\layered.exe).", nameof(record));
        }

        if (!record.Executable.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"Launcher Executable '{record.Executable}' must be the layered.exe apphost: the launcher runs it directly, and a dotnet-hosted .dll would shift the arguments.", nameof(record));
        }

        // The launcher expands the command line into a 512-WCHAR buffer.
        if (string.IsNullOrWhiteSpace(record.CommandLine) || record.CommandLine.Length > 400)
        {
            throw new ArgumentException(
                $"Launcher CommandLine '{record.CommandLine}' must be non-empty and short enough (400 characters) to expand within the launcher's 512-character limit.", nameof(record));
        }

        if (!RunAsValues.Contains(record.RunAs, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"Launcher RunAs '{record.RunAs}' must be one of {string.Join(", ", RunAsValues)}; the launcher refuses anything else.", nameof(record));
        }

        if (!(record.Security.StartsWith("D:", StringComparison.Ordinal) || record.Security.StartsWith("O:", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Launcher Security '{record.Security}' must be an SDDL string starting with D: or O:.", nameof(record));
        }

        if (!Enum.IsDefined(record.Credentials))
        {
            throw new ArgumentException($"Launcher Credentials value {(uint)record.Credentials} is not 0, 1 or 3.", nameof(record));
        }
    }

    private static void ValidateClassName(string className)
    {
        if (string.IsNullOrWhiteSpace(className) || className.IndexOfAny(['\\', '/', ' ']) >= 0)
        {
            throw new ArgumentException($"Launcher class name '{className}' must be a single word without slashes or spaces.", nameof(className));
        }
    }

    // Checked by hand (not Path.IsPathFullyQualified) so the rule is the same when run on Linux.
    private static bool IsWindowsFullPath(string path) =>
        path.Length > 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] == '\\'
        || path.StartsWith(@"\\", StringComparison.Ordinal) && path.Length > 2;
}
