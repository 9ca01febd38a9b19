using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Layered.Cli;

/// <summary>
/// The `layered` command line: parses, runs one command, maps any failure to a one-line message and an
/// exit code (<see cref="ExitCodes"/>). Logs go to stderr through Microsoft.Extensions.Logging.
/// </summary>
public static class LayeredCli
{
    public static int Run(string[] args, CliConsole console)
    {
        bool verbose = args.Contains("--verbose") || args.Contains("-v");
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
            .AddSimpleConsole(options => options.SingleLine = true)
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
        var context = new CliContext(console, loggers);

        var root = new RootCommand("Layered: an encrypted, journaling, layered file system.");
        var verboseOption = new Option<bool>("--verbose", "-v") { Description = "Log details to stderr.", Recursive = true };
        root.Options.Add(verboseOption);
        foreach (Command command in CommandCatalog.BuildAll(context))
            root.Subcommands.Add(command);

        ParseResult parsed = root.Parse(args);
        bool asksForHelp = args.Any(a => a is "--help" or "-h" or "-?" or "--version");
        if (parsed.Errors.Count > 0 && !asksForHelp)
        {
            console.Error.WriteLine($"layered: error: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see 'layered --help')");
            return ExitCodes.Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = console.Output,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception error)
        {
            loggers.CreateLogger("layered").LogDebug(error, "command failed");
            return ErrorReporter.Report(error, console.Error);
        }
    }
}
