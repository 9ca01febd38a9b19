using System.Diagnostics;
using Layered.Cli.Commands;
using Layered.Cli.Infrastructure;
using Layered.Crypto;
using Layered.Fuse.Tests;
using Xunit;

namespace Layered.Cli.Tests;

/// <summary>What `layered unmount` says after the kernel detached the mount, while it waits for the serving process to
/// let go of the vault (its lock): released, still held at the deadline, or no longer possible to probe.</summary>
[Trait("Area", "Cli")]
public sealed class UnmountWaitTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public UnmountWaitTests() => Directory.CreateDirectory(Path.Combine(_dir.Vault, VaultLayout.MetaDirectoryName));

    public void Dispose() => _dir.Dispose();

    private CliConsole Console => new(_output, _error, new MemoryStream(), inputIsTerminal: false, _ => null);

    private string LockFile => Path.Combine(_dir.Vault, VaultLayout.MetaDirectoryName, VaultLayout.LockFileName);

    [Fact]
    public void AVaultNobodyHoldsEndsTheWaitAtOnce()
    {
        int code = UnmountCommand.AwaitServer(Console, "/mnt/x", _dir.Vault, TimeSpan.FromSeconds(30));
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("Unmounted /mnt/x", _output.ToString());
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public void AVaultStillHeldAtTheDeadlineIsReportedWithWhatToDo()
    {
        using var holder = Process.Start("flock", ["-x", LockFile, "sleep", "30"])!;
        try
        {
            Assert.True(Eventually.Reached(() => VaultLockWait.IsHeld(_dir.Vault)), "flock never took the vault's lock");
            int code = UnmountCommand.AwaitServer(Console, "/mnt/x", _dir.Vault, TimeSpan.FromSeconds(1.5));
            Assert.Equal(ExitCodes.IoError, code);
            string error = _error.ToString();
            Assert.Contains("waiting for the process serving", error);
            Assert.Contains($"still holds it after 1.5 seconds", error);
            Assert.Contains($"layered recover '{_dir.Vault}'", error);
            Assert.Equal("", _output.ToString());
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
    }

    [Fact]
    public void AVaultThatCanNoLongerBeProbedIsAClearErrorNotACrash()
    {
        // Probed before the unmount, gone after it (moved or removed while the mount closed).
        Directory.Delete(_dir.Vault, recursive: true);
        int code = UnmountCommand.AwaitServer(Console, "/mnt/x", _dir.Vault, TimeSpan.FromSeconds(30));
        Assert.Equal(ExitCodes.IoError, code);
        string error = _error.ToString();
        Assert.Contains("unmounted /mnt/x, but cannot tell whether the process serving", error);
        Assert.Contains(_dir.Vault, error);
        Assert.Equal("", _output.ToString());
    }
}
