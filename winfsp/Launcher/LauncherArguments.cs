using Layered.WinFsp.Hosting;

namespace Layered.WinFsp.Launcher;

/// <summary>
/// The two arguments the launcher substitutes into <see cref="LauncherRecord.DefaultCommandLine"/>
/// (%1 and %2), interpreted for <c>layered mount --launcher %1 %2</c>:
/// <list type="bullet">
/// <item><c>net use X: \\layered\C$\Users\me\vault</c> gives %1 = <c>\layered\C$\Users\me\vault</c> (one
/// leading backslash): a network volume with that prefix, vault <c>C:\Users\me\vault</c> (the
/// <c>X$\path</c> convention of WinFsp's passthrough sample).</item>
/// <item><c>net use X: \\layered\NAME</c>: a network volume whose vault the caller looks up by NAME.</item>
/// <item><c>launchctl-x64 startWithSecret layered NAME C:\vault X: PASSWORD</c> gives %1 = <c>C:\vault</c>:
/// a disk volume.</item>
/// </list>
/// %2 is the drive (<c>X:</c>) or empty: a network volume is then reachable only by its UNC name, a
/// disk volume takes the first free drive.
/// </summary>
public sealed record LauncherArguments(string? VaultPath, string? InstanceName, string? Prefix, MountPoint? MountPoint)
{
    /// <exception cref="ArgumentException">An argument is malformed (the message names it).</exception>
    public static LauncherArguments Parse(string first, string second, string className = LauncherRecord.DefaultClassName)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        string classPrefix = "\\" + className + "\\";
        if (first.StartsWith(classPrefix, StringComparison.OrdinalIgnoreCase) && !first.StartsWith(@"\\", StringComparison.Ordinal))
        {
            string instance = first[classPrefix.Length..].TrimEnd('\\');
            string prefix = first[..(classPrefix.Length + instance.Length)];
            if (instance.Length == 0)
            {
                throw new ArgumentException($"Launcher argument '{first}' names no instance after {classPrefix}.", nameof(first));
            }

            MountPoint? mountPoint = second.Length == 0 ? null : MountPoint.Parse(second, networkVolume: true);
            return new LauncherArguments(VaultPathOf(instance), instance, prefix, mountPoint);
        }

        if (first.Length == 0)
        {
            throw new ArgumentException("The launcher passed no vault (argument %1 is empty).", nameof(first));
        }

        return new LauncherArguments(first, null, null, MountPoint.Parse(second));
    }

    // "C$\Users\me\vault" -> "C:\Users\me\vault"; anything else is a name, not a path.
    private static string? VaultPathOf(string instance) =>
        instance.Length >= 4 && char.IsAsciiLetter(instance[0]) && instance[1] == '$' && instance[2] == '\\'
            ? char.ToUpperInvariant(instance[0]) + ":" + instance[2..]
            : null;
}
