using System.CommandLine;
using System.Diagnostics.CodeAnalysis;

namespace Layered.Cli;

/// <summary>Finds every <see cref="ICliCommand"/> in this assembly, so commands register themselves by existing.</summary>
public static class CommandCatalog
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The CLI is not trimmed; commands are concrete types in this assembly.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The CLI is not trimmed; commands have public parameterless constructors.")]
    public static IEnumerable<Command> BuildAll(CliContext context)
    {
        return typeof(CommandCatalog).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => ((ICliCommand)Activator.CreateInstance(t)!).Build(context));
    }
}
