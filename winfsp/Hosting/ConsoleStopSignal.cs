using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Layered.WinFsp.Hosting;

/// <summary>
/// Turns the console control events the WinFsp launcher and Windows send into a cancellation token:
/// the launcher stops an instance with CTRL_BREAK and kills it 5 s later (winfsp.md §4.3), so the
/// mount command waits on <see cref="Install"/>'s token, unmounts (journal committed), then calls
/// <see cref="Stopped"/>. For CTRL_CLOSE and CTRL_SHUTDOWN Windows ends the process as soon as the
/// handler returns, so the handler waits (up to 4.5 s) for <see cref="Stopped"/> before returning.
/// CTRL_LOGOFF is ignored: it is sent to session-0 processes whenever any user logs off.
/// </summary>
[SupportedOSPlatform("windows")]
public static unsafe partial class ConsoleStopSignal
{
    private const uint CtrlC = 0;
    private const uint CtrlBreak = 1;
    private const uint CtrlClose = 2;
    private const uint CtrlLogoff = 5;
    private const uint CtrlShutdown = 6;
    private static readonly TimeSpan ProcessEndGrace = TimeSpan.FromMilliseconds(4500);
    private static readonly CancellationTokenSource StopRequested = new();
    private static readonly ManualResetEventSlim StopCompleted = new();
    private static int _installed;

    /// <summary>Installs the handler (once per process) and returns the token cancelled on stop.</summary>
    /// <exception cref="Win32Exception">SetConsoleCtrlHandler failed.</exception>
    public static CancellationToken Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0 && SetConsoleCtrlHandler(&OnControl, 1) == 0)
        {
            Volatile.Write(ref _installed, 0);
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "SetConsoleCtrlHandler failed; the mount could not be stopped cleanly by the launcher.");
        }

        return StopRequested.Token;
    }

    /// <summary>The volume is unmounted and the journal committed: the process may end.</summary>
    public static void Stopped() => StopCompleted.Set();

    // HandlerRoutine is WINAPI (stdcall on x86; the one ABI on x64 and ARM64).
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvStdcall)])]
    private static int OnControl(uint controlType)
    {
        try
        {
            switch (controlType)
            {
                case CtrlC:
                case CtrlBreak:
                    StopRequested.Cancel();
                    return 1;
                case CtrlClose:
                case CtrlShutdown:
                    StopRequested.Cancel();
                    StopCompleted.Wait(ProcessEndGrace);
                    return 1;
                case CtrlLogoff:
                default:
                    return 0;
            }
        }
        catch
        {
            // Nothing may escape into the console control thread.
            return 1;
        }
    }

    [LibraryImport("kernel32.dll", SetLastError = true)]
    private static partial int SetConsoleCtrlHandler(delegate* unmanaged[Stdcall]<uint, int> handlerRoutine, int add);
}
