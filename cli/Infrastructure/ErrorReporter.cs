using Layered.Crypto;
using Layered.Fuse;

namespace Layered.Cli;

/// <summary>
/// The one place that turns an exception into a one-line message and an exit code. Crypto exceptions
/// never carry secrets, so their messages are printed as they are.
/// </summary>
public static class ErrorReporter
{
    public static int ExitCodeFor(Exception error) => error switch
    {
        UsageException => ExitCodes.Usage,
        WrongPasswordException => ExitCodes.WrongPassword,
        // FUSE itself missing is "not supported here"; a mount point or mount failure is an I/O error.
        FuseMountException { Error: FuseMountError.DeviceMissing or FuseMountError.LibraryMissing or FuseMountError.UnsupportedPlatform } => ExitCodes.Unsupported,
        FuseMountException => ExitCodes.IoError,
        VaultConfigException => ExitCodes.BadVaultConfig,
        VaultAlreadyExistsException => ExitCodes.VaultExists,
        IntegrityException => ExitCodes.IntegrityError,
        PlatformNotSupportedException => ExitCodes.Unsupported,
        OperationCanceledException => ExitCodes.Cancelled,
        IOException or UnauthorizedAccessException => ExitCodes.IoError,
        _ => ExitCodes.InternalError,
    };

    public static string MessageFor(Exception error) => error switch
    {
        UsageException or WrongPasswordException or VaultConfigException or VaultAlreadyExistsException
            or IntegrityException or PlatformNotSupportedException or FuseMountException => error.Message,
        OperationCanceledException => "interrupted",
        IOException or UnauthorizedAccessException => error.Message,
        _ => $"internal error ({error.GetType().Name}): {error.Message}",
    };

    /// <summary>Writes "layered: error: ..." to <paramref name="stderr"/> and returns the exit code.</summary>
    public static int Report(Exception error, TextWriter stderr)
    {
        stderr.WriteLine($"layered: error: {OneLine(MessageFor(error))}");
        return ExitCodeFor(error);
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
