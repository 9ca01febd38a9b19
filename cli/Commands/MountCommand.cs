using System.CommandLine;
using System.Diagnostics;
using Layered.Backing;
using Layered.Cli.Infrastructure;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Fuse;
using Layered.Fuse.Adapter;
using Microsoft.Extensions.Logging;

namespace Layered.Cli.Commands;

/// <summary>
/// `layered mount VAULT MOUNTPOINT`: unlocks the vault, mounts it with FUSE and returns once the file system is
/// ready, leaving a detached process serving it (the same command re-run with --foreground, which stays
/// attached and logs to the console). SIGINT/SIGTERM unmount cleanly: the journal is committed and checkpointed.
/// On Windows the same command mounts with WinFsp (<see cref="WinFspMounting"/>).
/// </summary>
public sealed class MountCommand : ICliCommand
{
    private const string ReadyLine = "layered: ready";

    public Command Build(CliContext context)
    {
        var vault = CommonArguments.Vault();
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "An empty directory to show the plaintext view in." };
        var passwordFile = CommonArguments.PasswordFile();
        var foreground = new Option<bool>("--foreground", "-f") { Description = "Stay attached and log to the console." };
        var readOnly = new Option<bool>("--read-only") { Description = "Mount read-only." };
        var launcher = new Option<bool>("--launcher") { Description = "Windows: the two arguments are the WinFsp launcher's %1 %2; the password comes on standard input." };
        var fuseOptions = new Option<string[]>("-o") { Description = "Extra FUSE mount options (comma-separated, e.g. -o allow_other).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("mount", "Mount a vault (Linux: FUSE).") { vault, mountPoint, passwordFile, foreground, readOnly, launcher, fuseOptions };
        command.SetAction(parsed =>
        {
            if (OperatingSystem.IsWindows())
                return WinFspMounting.Run(context, parsed.GetValue(vault)!, parsed.GetValue(mountPoint)!, parsed.GetValue(launcher),
                    parsed.GetValue(passwordFile), parsed.GetValue(readOnly));
            if (parsed.GetValue(launcher))
                throw new PlatformNotSupportedException("--launcher is for the WinFsp launcher on Windows");
            string root = CommonArguments.VaultPath(parsed, vault);
            string target = Path.GetFullPath(parsed.GetValue(mountPoint)!);
            var extra = (parsed.GetValue(fuseOptions) ?? []).SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
            return parsed.GetValue(foreground)
                ? RunForeground(context, root, target, parsed.GetValue(passwordFile), parsed.GetValue(readOnly), extra)
                : RunDetached(context, root, target, parsed.GetValue(passwordFile), parsed.GetValue(readOnly), extra);
        });
        return command;
    }

    private static int RunForeground(CliContext context, string root, string mountPoint, string? passwordFile, bool readOnly, List<string> extra)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("layered mount uses FUSE and runs on Linux; on Windows use the WinFsp host (docs/windows.md)");
        VaultConfig.Load(root); // a clear error for a missing or damaged vault before asking for a password
        var log = context.Loggers.CreateLogger<MountCommand>();
        Vault keys;
        using (Password password = passwordFile is null ? context.Passwords.Ask("Vault password: ") : context.Passwords.FromFile(passwordFile, "--password-file"))
            keys = Vault.Unlock(root, password.Bytes, context.Loggers.CreateLogger<Vault>());
        using (keys)
        using (var store = new DirectoryBackingStore(root, context.Loggers.CreateLogger<DirectoryBackingStore>()))
        using (var volume = OpenVolume(context, root, new VolumeOptions { Store = store, Vault = keys, ReadOnly = readOnly, LoggerFactory = context.Loggers }))
        {
            // Layered's own -o words (fstab style) are taken out; the rest goes to libfuse and the kernel.
            bool writeback = !extra.Contains("no_writeback_cache");
            var options = new FuseMountOptions
            {
                MountPoint = mountPoint,
                // The mount table's source column names the vault: `layered unmount` finds the vault it waits for
                // there, and mount, df and findmnt show which vault a mount point is.
                FileSystemName = Path.TrimEndingDirectorySeparator(root),
                ReadOnly = readOnly,
                WritebackCache = writeback,
                ExtraOptions = extra.Where(o => o is not ("writeback_cache" or "no_writeback_cache")).ToList(),
            };
            using var host = FuseHost.Mount(new EngineFileSystem(volume), options, context.Loggers.CreateLogger<FuseHost>());
            using var signals = host.HandleTerminationSignals();
            using var trimmer = MemoryTrimmer.Start(log);
            log.LogInformation("Mounted {Vault} on {MountPoint}", root, mountPoint);
            context.Console.Output.WriteLine(ReadyLine);
            context.Console.Output.Flush();
            int code = host.Completion.GetAwaiter().GetResult();
            log.LogInformation("Unmounted {MountPoint}", mountPoint);
            return code == 0 ? ExitCodes.Success : ExitCodes.IoError;
        }
    }

    /// <summary>Opens the volume; a vault whose lock is held while no mount of it is left in this mount table is one
    /// whose last mount is still closing (VaultLockWait): wait for it a while instead of failing at once.</summary>
    private static Volume OpenVolume(CliContext context, string root, VolumeOptions options)
    {
        try
        {
            return Volume.Mount(options);
        }
        catch (VolumeLockedException)
        {
            // Not an exception filter: the wait must not run before the failed attempt has unwound.
            if (!WaitForAClosingMount(context, root))
                throw;
        }
        return Volume.Mount(options);
    }

    /// <summary>When the vault is held by a process that no longer serves a mount of it in this mount table, waits a
    /// while for it to let go; whether the vault is free now (false at once when it is mounted here).</summary>
    private static bool WaitForAClosingMount(CliContext context, string root)
    {
        string source = Path.TrimEndingDirectorySeparator(root);
        if (MountTable.All().Any(m => m.FileSystemType == FuseMountOptions.DefaultFileSystemType && m.Source == source))
            return false;
        return VaultLockWait.WaitForRelease(root, ClosingMountWait, TimeSpan.FromSeconds(1), () =>
            context.Console.Error.WriteLine($"layered: waiting up to {ClosingMountWait.TotalSeconds:0} s for the process holding '{root}' (a mount that is closing?) to let go of it"));
    }

    /// <summary>How long a mount waits for a vault held by a process that no longer serves a mount of it.</summary>
    private static readonly TimeSpan ClosingMountWait = TimeSpan.FromSeconds(30);

    /// <summary>setsid(1) from util-linux puts the server in its own session, away from the terminal's signals.
    /// mount(8) runs helpers with a minimal PATH, so look in the usual places too.</summary>
    private static string FindSetsid()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"]);
        return dirs.Select(d => Path.Combine(d, "setsid")).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("setsid (util-linux) is needed to detach the mount process; install util-linux or use --foreground");
    }

    /// <summary>Starts the foreground mount as a detached process (its own session), hands it the password on
    /// its standard input, and returns when it says the file system is ready — or with its error.</summary>
    private static int RunDetached(CliContext context, string root, string mountPoint, string? passwordFile, bool readOnly, List<string> extra)
    {
        VaultConfig.Load(root);
        // Here rather than only in the serving process, whose messages are shown only if it fails.
        if (VaultLockWait.IsHeld(root))
            WaitForAClosingMount(context, root);
        using Password password = passwordFile is null ? context.Passwords.Ask("Vault password: ") : context.Passwords.FromFile(passwordFile, "--password-file");
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the layered executable");
        var psi = new ProcessStartInfo(FindSetsid())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Capped from the start of the serving process, the runtime's own threads included (MallocArenas says why).
        if (Environment.GetEnvironmentVariable(MallocArenas.EnvironmentVariable) is null)
            psi.Environment[MallocArenas.EnvironmentVariable] = MallocArenas.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.ArgumentList.Add(self);
        if (self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || Path.GetFileNameWithoutExtension(self) == "dotnet")
            psi.ArgumentList.Add(typeof(MountCommand).Assembly.Location);
        foreach (var a in new[] { "mount", root, mountPoint, "--foreground" })
            psi.ArgumentList.Add(a);
        if (readOnly) psi.ArgumentList.Add("--read-only");
        foreach (var o in extra) { psi.ArgumentList.Add("-o"); psi.ArgumentList.Add(o); }
        using var child = Process.Start(psi) ?? throw new IOException("Could not start the mount process");
        child.StandardInput.BaseStream.Write(password.Bytes);
        child.StandardInput.BaseStream.WriteByte((byte)'\n');
        child.StandardInput.Close();
        var errors = child.StandardError.ReadToEndAsync();
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null)
        {
            if (line == ReadyLine)
            {
                context.Console.Output.WriteLine($"Mounted {root} on {mountPoint}");
                return ExitCodes.Success;
            }
        }
        child.WaitForExit();
        var message = errors.Result.Trim();
        context.Console.Error.WriteLine(message.Length > 0 ? message : $"layered: the mount process exited with code {child.ExitCode}");
        return child.ExitCode == 0 ? ExitCodes.IoError : child.ExitCode;
    }
}
