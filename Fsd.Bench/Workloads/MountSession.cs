using System.Diagnostics;

namespace Layered.Fsd.Bench.Workloads;

/// <summary>
/// One file system process serving one mount point, started in the foreground as our child so its process id is
/// known (for peak memory) and its exit observed. Ready when the mount point appears in /proc/self/mountinfo;
/// disposed by unmounting (fusermount3 -u) and waiting for the process to end.
/// </summary>
internal sealed class MountSession : IDisposable
{
    private readonly Process? _process;
    private readonly System.Text.StringBuilder _errors = new();

    private MountSession(string mountPoint, Process? process)
    {
        MountPoint = mountPoint;
        _process = process;
    }

    public string MountPoint { get; }

    /// <summary>The file system process, or null for the plain folder (no process).</summary>
    public int? ProcessId => _process?.Id;

    public static MountSession Plain(string folder) => new(folder, null);

    public static MountSession Start(ProcessStartInfo psi, string mountPoint, string? standardInput, TimeSpan readyTimeout)
    {
        psi.RedirectStandardInput = true;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var session = new MountSession(mountPoint, process);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (session._errors) session._errors.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (session._errors) session._errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        if (standardInput is not null)
            process.StandardInput.Write(standardInput);
        process.StandardInput.Close();
        var deadline = Stopwatch.StartNew();
        while (!IsMounted(mountPoint))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{psi.FileName} exited with {process.ExitCode} before mounting {mountPoint}: {session.Output}");
            if (deadline.Elapsed > readyTimeout)
            {
                session.Dispose();
                throw new TimeoutException($"{psi.FileName} did not mount {mountPoint} within {readyTimeout.TotalSeconds} s: {session.Output}");
            }
            Thread.Sleep(50);
        }
        return session;
    }

    private string Output { get { lock (_errors) return _errors.ToString().Trim(); } }

    public static bool IsMounted(string mountPoint)
    {
        string full = Path.GetFullPath(mountPoint).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && fields[4] == full)
                return true;
        }
        return false;
    }

    public void Dispose()
    {
        if (_process is null)
            return;
        try
        {
            if (IsMounted(MountPoint))
                ExternalCommand.Run("fusermount3", ["-u", MountPoint], timeout: TimeSpan.FromSeconds(60));
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                Console.Error.WriteLine($"workloads: {_process.StartInfo.FileName} (pid {_process.Id}) did not exit after unmount; killing it");
                _process.Kill();
                _process.WaitForExit();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
