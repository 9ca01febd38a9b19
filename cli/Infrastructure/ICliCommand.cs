using System.CommandLine;

namespace Layered.Cli;

/// <summary>
/// One `layered` subcommand. Each lives in its own file under Commands/ and is found by reflection
/// (<see cref="CommandCatalog"/>), so adding a command never touches the others. The action returns an
/// exit code or throws; <see cref="ErrorReporter"/> maps exceptions for every command alike.
/// </summary>
public interface ICliCommand
{
    /// <summary>Builds the System.CommandLine command, with its action bound to <paramref name="context"/>.</summary>
    Command Build(CliContext context);
}
