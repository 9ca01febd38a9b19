using System.Runtime.InteropServices;
namespace Layered.Cli.Infrastructure;

/// <summary>
/// Caps glibc's malloc arenas in the serving process. glibc gives a thread that allocates while others hold the
/// existing arenas an arena of its own, up to eight per core, and each keeps what was freed into it: libfuse's
/// request threads and the runtime's made a mount's peak resident size ~30 MiB larger than with two arenas (196
/// against 162 MiB in a FULL workload run). The detached mount also sets MALLOC_ARENA_MAX=2 in the environment of
/// the process it starts (it then covers the runtime's start-up too); this covers a --foreground mount (a systemd
/// unit's, the benchmark's), where the cap set here takes effect before the FUSE session starts its threads.
/// A MALLOC_ARENA_MAX the user set is left to glibc.
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
