using System.Runtime.InteropServices;

namespace Layered.Cli;

/// <summary>
/// Turns the terminal's echo off (Linux termios) for as long as it is held. It must be off before the prompt is
/// written: a line discipline echoes characters when they arrive, so a password typed (or pasted) right after the
/// prompt appeared would otherwise be shown before the program started reading it. Canonical mode stays on, so
/// the terminal still edits the line (backspace) and Ctrl+C still interrupts; echo is restored on dispose and on
/// SIGINT/SIGTERM.
/// </summary>
internal sealed unsafe class TerminalEcho : IDisposable
{
    private const int StandardInput = 0;
    private const int TcsaNow = 0;
    private const uint EchoFlags = 0x8 | 0x40; // ECHO | ECHONL
    private const int LocalFlagsOffset = 12;    // c_iflag, c_oflag, c_cflag, then c_lflag (glibc struct termios)

    private readonly byte[] _saved = new byte[TermiosSize];
    private readonly PosixSignalRegistration[] _signals;
    private int _restored;

    private const int TermiosSize = 64; // glibc's struct termios is 60 bytes on Linux

    private TerminalEcho()
    {
        _signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Restore()),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Restore()),
        ];
    }

    /// <summary>Echo off on standard input when it is a Linux terminal; null elsewhere (the caller then relies on
    /// Console.ReadKey's own no-echo reading).</summary>
    public static TerminalEcho? TurnOff()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        var guard = new TerminalEcho();
        fixed (byte* saved = guard._saved)
        {
            if (tcgetattr(StandardInput, saved) != 0)
            {
                guard.DisposeSignals();
                return null;
            }
            byte* quiet = stackalloc byte[TermiosSize];
            new ReadOnlySpan<byte>(saved, TermiosSize).CopyTo(new Span<byte>(quiet, TermiosSize));
            *(uint*)(quiet + LocalFlagsOffset) &= ~EchoFlags;
            if (tcsetattr(StandardInput, TcsaNow, quiet) != 0)
            {
                guard.DisposeSignals();
                return null;
            }
        }
        return guard;
    }

    /// <summary>One byte straight from descriptor 0, or -1 at end of input: the runtime's stdin stream edits and
    /// echoes terminal input itself.</summary>
    public static int ReadByte()
    {
        byte b;
        while (true)
        {
            nint n = read(StandardInput, &b, 1);
            if (n < 0 && Marshal.GetLastPInvokeError() == 4) // EINTR
                continue;
            return n == 1 ? b : -1;
        }
    }

    private void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
            return;
        fixed (byte* saved = _saved)
            tcsetattr(StandardInput, TcsaNow, saved);
    }

    private void DisposeSignals()
    {
        foreach (var s in _signals)
            s.Dispose();
    }

    public void Dispose()
    {
        Restore();
        DisposeSignals();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, byte* buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcgetattr(int fd, byte* termios);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcsetattr(int fd, int optionalActions, byte* termios);
}
