namespace Layered.Fsd.Bench.Workloads;

/// <summary>Files the runner shares between contenders: the password file, the source tarball, the layered executable.</summary>
internal sealed class BenchPaths
{
    private const string SdkRoot = "/usr/share/dotnet/sdk";

    public BenchPaths(WorkloadOptions options)
    {
        WorkRoot = options.WorkRoot;
        Directory.CreateDirectory(WorkRoot);
        PasswordFile = Path.Combine(WorkRoot, "password.txt");
        File.WriteAllText(PasswordFile, Contender.Password + "\n");
        Layered = options.LayeredPath ?? FindLayered();
        Tarball = CacheTarball(options.Quick);
    }

    public string WorkRoot { get; }
    public string PasswordFile { get; }
    public string? Layered { get; }
    public string Tarball { get; }

    /// <summary>Packs the .NET SDK tree (uncompressed, so untar measures the file system, not gzip) once and keeps it.
    /// QUICK packs one SDK folder of about 1,200 files instead.</summary>
    private string CacheTarball(bool quick)
    {
        string cache = Path.Combine(WorkRoot, "cache");
        Directory.CreateDirectory(cache);
        string tarball = Path.Combine(cache, quick ? "dotnet-sdk-quick.tar" : "dotnet-sdk.tar");
        if (File.Exists(tarball))
            return tarball;
        if (!Directory.Exists(SdkRoot))
            throw new DirectoryNotFoundException($"the source tree for the untar workload is missing: {SdkRoot}");
        string version = Directory.GetDirectories(SdkRoot).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).Last();
        (string from, string what) = quick ? ($"{SdkRoot}/{version}/Sdks", "Microsoft.NET.Sdk") : ("/usr/share/dotnet", "sdk");
        string partial = tarball + ".partial";
        ExternalCommand.Run("tar", ["-cf", partial, "-C", from, what]);
        File.Move(partial, tarball, overwrite: true);
        return tarball;
    }

    /// <summary>The CLI built by `dotnet build -c Release cli` in any build slot (scripts/bench.sh builds slot "bench").</summary>
    private static string? FindLayered()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bin", "Layered.Cli", "release", "layered");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
