using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Layered.Fuse.Tests;

/// <summary>
/// A real FUSE mount of a <see cref="MemoryFileSystem"/> in a fresh temporary directory. Dispose
/// always leaves no mount behind: it stops the host, and if a mount is still listed it falls back
/// to a lazy fusermount3 unmount.
/// </summary>
internal sealed class TestMount : IDisposable
{
    private readonly string _root;

    private TestMount(string root, FuseHost host, MemoryFileSystem fileSystem, CapturingLogger log)
    {
        _root = root;
        Host = host;
        FileSystem = fileSystem;
        Log = log;
    }

    public FuseHost Host { get; }

    public MemoryFileSystem FileSystem { get; }

    public CapturingLogger Log { get; }

    public string MountPoint => Host.MountPoint;

    public string PathOf(string relative) => Path.Combine(MountPoint, relative);

    public static TestMount Start(Func<string, FuseMountOptions>? options = null)
    {
        string root = Directory.CreateTempSubdirectory("layered-fuse-test-").FullName;
        string mountPoint = Path.Combine(root, "mnt");
        Directory.CreateDirectory(mountPoint);
        var fileSystem = new MemoryFileSystem();
        var log = new CapturingLogger();
        try
        {
            FuseHost host = FuseHost.Mount(fileSystem, options?.Invoke(mountPoint) ?? new FuseMountOptions { MountPoint = mountPoint }, log);
            return new TestMount(root, host, fileSystem, log);
        }
        catch
        {
            ForceUnmount(mountPoint);
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Host.Dispose();
        }
        finally
        {
            ForceUnmount(MountPoint);
            Directory.Delete(_root, recursive: true);
        }
    }

    public static void ForceUnmount(string mountPoint)
    {
        if (MountTable.Find(mountPoint) is null)
        {
            return;
        }

        using Process? process = Process.Start("fusermount3", ["-u", "-z", mountPoint]);
        process?.WaitForExit(10_000);
    }
}

/// <summary>Keeps log lines so tests can check what the host reported.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message, Exception? Exception)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToList();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception), exception));
        }
    }
}
