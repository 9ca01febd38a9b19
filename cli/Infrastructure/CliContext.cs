using Microsoft.Extensions.Logging;

namespace Layered.Cli;

/// <summary>What every command gets: the console, the password reader and logging.</summary>
public sealed class CliContext
{
    public CliContext(CliConsole console, ILoggerFactory loggers)
    {
        Console = console;
        Loggers = loggers;
        Passwords = new PasswordReader(console);
    }

    public CliConsole Console { get; }

    public ILoggerFactory Loggers { get; }

    public PasswordReader Passwords { get; }
}
