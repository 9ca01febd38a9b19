using System.Runtime.InteropServices;
namespace Layered.Cli.Infrastructure;

/// <summary>
/// Caps glibc's malloc arenas in this process. glibc gives each thread an arena of its own at its first malloc
/// until there are eight, then up to eight per core, and each arena keeps what was freed into it: libfuse's request
/// threads and the runtime's made a foreground mount's peak resident size ~25 MiB larger (194 against 169 MiB in
/// FULL workload runs, docs/benchmarks.md item 15). The runtime's own threads have taken about six arenas before
/// Main runs, so the detached mount also starts its server with MALLOC_ARENA_MAX=2 in the environment, which caps
/// them from the start; this call covers a --foreground mount (a systemd unit's, the benchmark's), where it takes
/// effect before the FUSE session starts its threads. A MALLOC_ARENA_MAX the user set is left to glibc.
/// </summary>
internal static partial class MallocArenas
{
    public const string EnvironmentVariable = "MALLOC_ARENA_MAX";
    public const int Limit = 2;

    /// <summary>mallopt's M_ARENA_MAX (glibc malloc.h).</summary>
    private const int M_ARENA_MAX = -8;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    /// <summary>Sets the cap on Linux unless the environment sets one. Not glibc (musl): no arenas to cap, and
    /// the call fails to resolve, which changes nothing.</summary>
    public static void LimitUnlessConfigured()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(EnvironmentVariable) is not null)
            return;
        try
        {
            MallOpt(M_ARENA_MAX, Limit);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
        }
    }
}
