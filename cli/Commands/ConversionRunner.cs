using System.Diagnostics;
using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>
/// Runs an in-place conversion of an unlocked vault (adoption or decryption) with a progress bar on stderr and Ctrl+C
/// stopping it (no new file is started; the files in hand are finished). Returns the exit code: 0 when complete, <see cref="ExitCodes.Cancelled"/> when
/// interrupted, <see cref="ExitCodes.NotAllConverted"/> when some files were left untouched (each named on stderr).
/// </summary>
internal static class ConversionRunner
{
    public static int Run(CliContext context, string root, Vault keys, ConversionDirection direction, out ConversionResult result)
    {
        var logger = context.Loggers.CreateLogger("layered.conversion");
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true; // finish the files in hand (each is one atomic step), then stop
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            using var store = new DirectoryBackingStore(root, context.Loggers.CreateLogger<DirectoryBackingStore>());
            using var volume = Volume.Mount(new VolumeOptions { Store = store, Vault = keys, LoggerFactory = context.Loggers, CheckpointInterval = TimeSpan.Zero });
            var bar = new ProgressBar(context.Console.Error, direction == ConversionDirection.Encrypt ? "encrypting" : "decrypting");
            result = new FolderConverter(volume, logger).Run(direction, bar, cancel.Token);
            bar.Finish();
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
        string verb = direction == ConversionDirection.Encrypt ? "Encrypted" : "Decrypted";
        context.Console.Output.WriteLine($"{verb} {result.FilesConverted} files ({ProgressBar.Bytes(result.BytesConverted)}) in place");
        foreach (var failure in result.Failures)
            context.Console.Error.WriteLine($"layered: not converted: {failure}");
        if (result.Cancelled)
        {
            context.Console.Error.WriteLine("layered: interrupted; every file is either converted or untouched. Run the command again to continue.");
            return ExitCodes.Cancelled;
        }
        if (result.Failures.Count > 0)
        {
            context.Console.Error.WriteLine($"layered: {result.Failures.Count} files were left as they were; fix what is named above and run the command again.");
            return ExitCodes.NotAllConverted;
        }
        return ExitCodes.Success;
    }
}

/// <summary>One self-overwriting line on stderr: files, bytes, rate and time left; at most a few updates a second.</summary>
internal sealed class ProgressBar : IProgress<ConversionProgress>
{
    private const int Width = 24;
    private readonly TextWriter _error;
    private readonly string _verb;
    private readonly Stopwatch _sinceDrawn = Stopwatch.StartNew();
    private ConversionProgress _last;
    private bool _drawn;

    public ProgressBar(TextWriter error, string verb)
    {
        _error = error;
        _verb = verb;
    }

    public void Report(ConversionProgress value)
    {
        _last = value;
        if (_drawn && _sinceDrawn.ElapsedMilliseconds < 250 && value.FilesDone < value.FilesTotal)
            return;
        Draw(value);
    }

    public void Finish()
    {
        if (_drawn)
        {
            Draw(_last);
            _error.WriteLine();
        }
    }

    private void Draw(ConversionProgress p)
    {
        double fraction = p.BytesTotal > 0 ? (double)p.BytesDone / p.BytesTotal : p.FilesTotal > 0 ? (double)p.FilesDone / p.FilesTotal : 1;
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * Width);
        double seconds = Math.Max(p.Elapsed.TotalSeconds, 0.001);
        double rate = p.BytesDone / seconds;
        string left = rate > 0 && p.BytesTotal > p.BytesDone ? Time(TimeSpan.FromSeconds((p.BytesTotal - p.BytesDone) / rate)) : "--:--";
        _error.Write($"\r{_verb} [{new string('#', filled)}{new string('.', Width - filled)}] {p.FilesDone}/{p.FilesTotal} files, " +
                     $"{Bytes(p.BytesDone)}/{Bytes(p.BytesTotal)}, {Bytes((long)rate)}/s, {left} left ");
        _error.Flush();
        _drawn = true;
        _sinceDrawn.Restart();
    }

    internal static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{n / (1024.0 * 1024):0.0} MiB",
        _ => $"{n / (1024.0 * 1024 * 1024):0.00} GiB",
    };

    private static string Time(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes:00}:{t.Seconds:00}";
}
