namespace Layered.Cli;

/// <summary>
/// The process's standard streams as the commands see them. The real program uses the system console;
/// in-process tests pass their own writers and a stdin stream (never a terminal).
/// </summary>
public sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, Stream input, bool inputIsTerminal, Func<string, string?> environment)
    {
        Output = output;
        Error = error;
        Input = input;
        InputIsTerminal = inputIsTerminal;
        Environment = environment;
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>Raw standard input, read byte by byte so a password line is never decoded into a string.</summary>
    public Stream Input { get; }

    /// <summary>True when stdin is a terminal: passwords are then typed without echo.</summary>
    public bool InputIsTerminal { get; }

    /// <summary>Environment variable lookup (LAYERED_TEST_FAST_KDF and later settings).</summary>
    public Func<string, string?> Environment { get; }

    public static CliConsole FromSystemConsole() => new(
        Console.Out,
        Console.Error,
        Console.OpenStandardInput(),
        inputIsTerminal: !Console.IsInputRedirected,
        System.Environment.GetEnvironmentVariable);
}
