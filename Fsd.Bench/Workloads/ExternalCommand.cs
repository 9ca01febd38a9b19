using System.Diagnostics;

namespace Layered.Fsd.Bench.Workloads;

/// <summary>Runs a program to completion (a workload step, an init, an unmount) and fails with its output when it fails.</summary>
internal static class ExternalCommand
{
    public static string Run(string program, IEnumerable<string> arguments, string? standardInput = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = Describe(program, arguments, environment);
        psi.RedirectStandardInput = true;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
            process.StandardInput.Write(standardInput);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish in time");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', psi.ArgumentList)} exited with {process.ExitCode}: {errors.Result.Trim()} {Tail(output.Result)}");
        return output.Result;
    }

    /// <summary>Runs `bash -c script` (for pipelines such as find | xargs md5sum).</summary>
    public static string Shell(string script, TimeSpan? timeout = null) => Run("bash", ["-c", "set -o pipefail; " + script], timeout: timeout);

    public static ProcessStartInfo Describe(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            psi.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment)
                psi.Environment[key] = value;
        return psi;
    }

    /// <summary>Where a program is on PATH, or null.</summary>
    public static string? Find(string program)
    {
        if (program.Contains('/'))
            return File.Exists(program) ? program : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : text[^400..].Trim();
}
