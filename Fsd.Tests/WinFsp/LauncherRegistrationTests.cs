using Layered.WinFsp.Interop;
using Layered.WinFsp.Launcher;

namespace Layered.WinFsp.Tests;

/// <summary>The exact launcher record written through the registry seam (winfsp.md §4.1).</summary>
[Trait("Area", "WinFsp")]
public sealed class LauncherRegistrationTests
{
    private const string Exe = @"C:\Program Files\Layered\layered.exe";
    private const string Key = @"SOFTWARE\WinFsp\Services\layered";

    [Fact]
    public void RegisterWritesTheLayeredRecordWithTheDocumentedValues()
    {
        var registry = new RecordingRegistry();

        LauncherRegistration.Register(registry, new LauncherRecord { Executable = Exe });

        Assert.Equal([$"delete {Key}"], registry.Operations.Take(1));
        Assert.Equal(
            new Dictionary<string, object>
            {
                ["Executable"] = Exe,
                ["CommandLine"] = "mount --launcher %1 %2",
                ["RunAs"] = ".",
                ["Security"] = "D:P(A;;RPWPLC;;;WD)",
                ["JobControl"] = 1u,
                ["Credentials"] = 1u,
            },
            registry.Values[Key]);
    }

    [Fact]
    public void OptionalValuesAreWrittenOnlyWhenGiven()
    {
        var registry = new RecordingRegistry();
        var record = new LauncherRecord
        {
            ClassName = "layered-test",
            Executable = Exe,
            WorkDirectory = @"C:\Vaults",
            Stderr = @"C:\Logs\layered-%1.log",
            RunAs = "LocalSystem",
            JobControl = false,
            Credentials = LauncherCredentials.None,
            Security = "D:P(A;;RPWPLC;;;BA)",
            CommandLine = "mount --launcher %1 %2 --debug",
        };

        LauncherRegistration.Register(registry, record);

        var values = registry.Values[@"SOFTWARE\WinFsp\Services\layered-test"];
        Assert.Equal(@"C:\Vaults", values["WorkDirectory"]);
        Assert.Equal(@"C:\Logs\layered-%1.log", values["Stderr"]);
        Assert.Equal("LocalSystem", values["RunAs"]);
        Assert.Equal(0u, values["JobControl"]);
        Assert.Equal(0u, values["Credentials"]);
        Assert.Equal("mount --launcher %1 %2 --debug", values["CommandLine"]);
    }

    [Fact]
    public void RegisteringAgainRemovesValuesFromTheEarlierRecord()
    {
        var registry = new RecordingRegistry();
        LauncherRegistration.Register(registry, new LauncherRecord { Executable = Exe, Stderr = @"C:\old.log" });
        LauncherRegistration.Register(registry, new LauncherRecord { Executable = Exe });

        Assert.False(registry.Values[Key].ContainsKey("Stderr"));
    }

    [Fact]
    public void UnregisterDeletesTheKeyAndReportsWhetherItExisted()
    {
        var registry = new RecordingRegistry();
        LauncherRegistration.Register(registry, new LauncherRecord { Executable = Exe });

        Assert.True(LauncherRegistration.Unregister(registry));
        Assert.False(registry.Values.ContainsKey(Key));
        Assert.False(LauncherRegistration.Unregister(registry));
    }

    [Theory]
    [InlineData(@"layered.exe", "full Windows path")]
    [InlineData(@"C:\Program Files\Layered\layered.dll", "apphost")]
    [InlineData(@"/usr/bin/layered", "full Windows path")]
    public void ABadExecutableIsRefusedWithAMessageNamingIt(string executable, string reason)
    {
        var registry = new RecordingRegistry();
        var error = Assert.Throws<ArgumentException>(() => LauncherRegistration.Register(registry, new LauncherRecord { Executable = executable }));
        Assert.Contains(executable, error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Empty(registry.Operations);
    }

    [Fact]
    public void AnUnknownRunAsOrClassNameIsRefused()
    {
        var registry = new RecordingRegistry();
        Assert.Contains("RunAs", Assert.Throws<ArgumentException>(() =>
            LauncherRegistration.Register(registry, new LauncherRecord { Executable = Exe, RunAs = "Administrator" })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LauncherRegistration.Register(registry, new LauncherRecord { Executable = Exe, ClassName = @"a\b" }));
        Assert.Throws<ArgumentException>(() => LauncherRegistration.Unregister(registry, string.Empty));
        Assert.Empty(registry.Operations);
    }

    private sealed class RecordingRegistry : IRegistryWriter
    {
        public Dictionary<string, Dictionary<string, object>> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<string> Operations { get; } = [];

        public void SetString(string keyPath, string valueName, string value) => Set(keyPath, valueName, value);

        public void SetDWord(string keyPath, string valueName, uint value) => Set(keyPath, valueName, value);

        public bool DeleteKeyTree(string keyPath)
        {
            Operations.Add($"delete {keyPath}");
            return Values.Remove(keyPath);
        }

        private void Set(string keyPath, string valueName, object value)
        {
            Operations.Add($"set {keyPath}\\{valueName}");
            if (!Values.TryGetValue(keyPath, out Dictionary<string, object>? key))
            {
                Values[keyPath] = key = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            }

            key[valueName] = value;
        }
    }
}
