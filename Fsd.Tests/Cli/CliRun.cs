using System.Diagnostics;
using System.Text;
using Layered.Cli;

namespace Layered.Cli.Tests;

/// <summary>The outcome of one `layered` run.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Output}\nstderr: {Error}";
}

/// <summary>Runs `layered` in-process (the real entry point with our own streams) or as a real process.</summary>
internal static class CliRun
{
    public static CliResult InProcess(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error, new MemoryStream(Encoding.UTF8.GetBytes(stdin)), inputIsTerminal: false,
            name => name == KdfChoice.TestSwitchVariable ? "1" : null);
        int code = LayeredCli.Run(args, console);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the built layered.dll (copied next to the tests by the project reference) with `dotnet exec`.</summary>
    public static CliResult AsProcess(string stdin, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "layered.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException("the built layered.dll is not next to the tests", dll);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.Environment[KdfChoice.TestSwitchVariable] = "1";
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("layered did not finish within 60 s: " + string.Join(' ', args));
        }
        return new CliResult(process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A fresh folder under the temp directory, deleted on Dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "layered-cli-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Vault => System.IO.Path.Combine(Path, "vault");

    public string ConfigPath => Layered.Crypto.VaultLayout.ConfigPath(Vault);

    public string WriteFile(string name, string contents)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, contents);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
