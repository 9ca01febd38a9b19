using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Layered.Fuse.Interop;

/// <summary>
/// libfuse's log handler (fuse_set_log_func): formats each message with vsnprintf and sends it to
/// an ILogger. Errors are also kept per thread so a failed fuse_new/fuse_mount can say why in its
/// exception. libfuse's handler is process-wide and its messages carry no session, so each message
/// goes to the loggers of all live mounts (one, in a normal process).
/// </summary>
internal static unsafe class FuseLog
{
    private const int FuseLogErr = 3;
    private const int FuseLogWarning = 4;
    private const int FuseLogInfo = 6;

    private static readonly object Gate = new();
    private static volatile ILogger[] _loggers = [];

    [ThreadStatic]
    private static string? _lastError;

    public static void Register(ILogger logger)
    {
        lock (Gate)
        {
            _loggers = [.. _loggers, logger];
        }
    }

    public static void Unregister(ILogger logger)
    {
        lock (Gate)
        {
            int index = Array.IndexOf(_loggers, logger);
            if (index >= 0)
            {
                _loggers = [.. _loggers[..index], .. _loggers[(index + 1)..]];
            }
        }
    }

    /// <summary>Returns and forgets the last error libfuse logged on this thread.</summary>
    public static string? TakeLastError()
    {
        string? message = _lastError;
        _lastError = null;
        return message;
    }

    [UnmanagedCallersOnly]
    public static void Write(int level, byte* format, nint arguments)
    {
        try
        {
            const int Capacity = 1024;
            byte* text = stackalloc byte[Capacity];
            int length = LibC.vsnprintf(text, Capacity, format, arguments);
            if (length < 0)
            {
                return;
            }

            string message = Encoding.UTF8.GetString(text, Math.Min(length, Capacity - 1)).TrimEnd();
            if (level <= FuseLogErr)
            {
                _lastError = message;
            }

            LogLevel logLevel = level switch
            {
                <= FuseLogErr => LogLevel.Error,
                FuseLogWarning => LogLevel.Warning,
                <= FuseLogInfo => LogLevel.Information,
                _ => LogLevel.Debug,
            };
            foreach (ILogger logger in _loggers)
            {
                logger.Log(logLevel, "libfuse: {Message}", message);
            }
        }
        catch (Exception)
        {
            // Never let an exception cross into native code; a lost log line is the lesser harm.
        }
    }
}
