namespace Layered.WinFsp.Launcher;

/// <summary>FSP_NP_CREDENTIALS_*: what the network provider asks for and the launcher passes on stdin.</summary>
public enum LauncherCredentials : uint
{
    None = 0,
    Password = 1,
    UserNameAndPassword = 3,
}

/// <summary>
/// The WinFsp launcher's service record for Layered (HKLM\SOFTWARE\WinFsp\Services\&lt;ClassName&gt;, 32-bit
/// view; winfsp.md §4.1). The defaults are Layered's choices; docs/windows.md explains them.
/// </summary>
public sealed record LauncherRecord
{
    public const string DefaultClassName = "layered";

    /// <summary>
    /// The launcher appends this to the quoted executable, substituting %1.. with the start arguments,
    /// each wrapped in double quotes. From <c>net use X: \\layered\NAME</c>: %1 = <c>\layered\NAME</c>
    /// (one leading backslash), %2 = <c>X:</c> (or empty). From
    /// <c>launchctl-x64 startWithSecret layered NAME VAULT X: PASSWORD</c>: %1 = VAULT, %2 = X:.
    /// </summary>
    public const string DefaultCommandLine = "mount --launcher %1 %2";

    /// <summary>Lets everyone start (RP), stop (WP) and query (LC) instances; the vault password guards the data.</summary>
    public const string DefaultSecurity = "D:P(A;;RPWPLC;;;WD)";

    /// <summary>Run as the user who asked for the mount, so the vault is read with that user's rights.</summary>
    public const string DefaultRunAs = ".";

    public string ClassName { get; init; } = DefaultClassName;

    /// <summary>Full path of the <c>layered.exe</c> apphost (not a dotnet-hosted .dll: that shifts argv).</summary>
    public required string Executable { get; init; }

    public string CommandLine { get; init; } = DefaultCommandLine;

    /// <summary>Working directory of the instance; null leaves the launcher's default.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>LocalSystem, LocalService, NetworkService or "." (the requesting user).</summary>
    public string RunAs { get; init; } = DefaultRunAs;

    /// <summary>SDDL DACL controlling who may start, stop and query instances.</summary>
    public string Security { get; init; } = DefaultSecurity;

    /// <summary>Instances die with the launcher (the launcher's job object).</summary>
    public bool JobControl { get; init; } = true;

    /// <summary>The vault password arrives on stdin; the instance answers OK on stdout.</summary>
    public LauncherCredentials Credentials { get; init; } = LauncherCredentials.Password;

    /// <summary>File that receives the instance's stderr (appended); null for none.</summary>
    public string? Stderr { get; init; }
}
