using System.Runtime.InteropServices;
using Layered.WinFsp.Interop;

namespace Layered.WinFsp.Tests;

/// <summary>Locating and loading WinFsp, with the registry simulated: clear errors when it is missing.</summary>
[Trait("Area", "WinFsp")]
public sealed class WinFspInstallationTests : IDisposable
{
    private readonly string _installDir = Path.Combine(Path.GetTempPath(), "layered-winfsp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_installDir))
        {
            Directory.Delete(_installDir, recursive: true);
        }
    }

    [Fact]
    public void AMissingInstallDirMeansWinFspIsNotInstalled()
    {
        var error = Assert.Throws<WinFspNotInstalledException>(() =>
            WinFspInstallation.LocateDll(new FakeRegistry(null), Architecture.X64));

        Assert.Contains("WinFsp is not installed", error.Message, StringComparison.Ordinal);
        Assert.Contains(@"SOFTWARE\WinFsp\InstallDir", error.Message, StringComparison.Ordinal);
        Assert.Contains("WOW6432Node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRegistryIsAskedForInstallDirUnderTheWinFspKey()
    {
        var registry = new FakeRegistry(null);
        Assert.Throws<WinFspNotInstalledException>(() => WinFspInstallation.LocateDll(registry, Architecture.Arm64));
        Assert.Equal([(@"SOFTWARE\WinFsp", "InstallDir")], registry.Queries);
    }

    [Fact]
    public void AnInstallDirWithoutTheDllNamesTheMissingFile()
    {
        Directory.CreateDirectory(_installDir);
        var error = Assert.Throws<WinFspNotInstalledException>(() =>
            WinFspInstallation.LocateDll(new FakeRegistry(_installDir + Path.DirectorySeparatorChar), Architecture.X64));

        Assert.Contains(Path.Join(_installDir, "bin", "winfsp-x64.dll"), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Architecture.X64, "winfsp-x64.dll")]
    [InlineData(Architecture.Arm64, "winfsp-a64.dll")]
    public void TheDllIsTakenFromInstallDirBinForTheArchitecture(Architecture architecture, string dllName)
    {
        string dll = Path.Join(_installDir, "bin", dllName);
        Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
        File.WriteAllBytes(dll, [0]);

        Assert.Equal(dll, WinFspInstallation.LocateDll(new FakeRegistry(_installDir + "\\"), architecture));
        Assert.Equal(dll, WinFspInstallation.LocateDll(new FakeRegistry(_installDir), architecture));
    }

    [Theory]
    [InlineData(Architecture.X86)]
    [InlineData(Architecture.Arm)]
    public void ThirtyTwoBitProcessesAreNotSupported(Architecture architecture)
    {
        var error = Assert.Throws<PlatformNotSupportedException>(() => WinFspInstallation.DllName(architecture));
        Assert.Contains(architecture.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotALoadableLibraryIsReportedWithItsPath()
    {
        string dll = Path.Join(_installDir, "bin", WinFspInstallation.DllName(RuntimeInformation.ProcessArchitecture));
        Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
        File.WriteAllText(dll, "not a library");

        var error = Assert.Throws<WinFspNotInstalledException>(() => WinFspLibrary.Load(new FakeRegistry(_installDir)));

        Assert.Contains(dll, error.Message, StringComparison.Ordinal);
        Assert.Contains("could not be loaded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindResolvesEveryExportByItsOwnName()
    {
        var addresses = WinFspApi.ExportNames.Select((name, i) => (name, address: (nint)(0x1000 + (i * 16)))).ToDictionary(p => p.name, p => p.address);
        var asked = new List<string>();

        WinFspApi api = WinFspApi.Bind("winfsp-x64.dll", name =>
        {
            asked.Add(name);
            return addresses.GetValueOrDefault(name);
        });

        Assert.Equal(WinFspApi.ExportNames, asked);
        unsafe
        {
            Assert.Equal(addresses["FspVersion"], (nint)api.FspVersion);
            Assert.Equal(addresses["FspFileSystemPreflight"], (nint)api.FspFileSystemPreflight);
            Assert.Equal(addresses["FspFileSystemCreate"], (nint)api.FspFileSystemCreate);
            Assert.Equal(addresses["FspFileSystemDelete"], (nint)api.FspFileSystemDelete);
            Assert.Equal(addresses["FspFileSystemSetMountPoint"], (nint)api.FspFileSystemSetMountPoint);
            Assert.Equal(addresses["FspFileSystemRemoveMountPoint"], (nint)api.FspFileSystemRemoveMountPoint);
            Assert.Equal(addresses["FspFileSystemMountPointF"], (nint)api.FspFileSystemMountPointF);
            Assert.Equal(addresses["FspFileSystemStartDispatcher"], (nint)api.FspFileSystemStartDispatcher);
            Assert.Equal(addresses["FspFileSystemStopDispatcher"], (nint)api.FspFileSystemStopDispatcher);
            Assert.Equal(addresses["FspFileSystemSetOperationGuardStrategyF"], (nint)api.FspFileSystemSetOperationGuardStrategyF);
            Assert.Equal(addresses["FspFileSystemSetDebugLogF"], (nint)api.FspFileSystemSetDebugLogF);
            Assert.Equal(addresses["FspDebugLogSetHandle"], (nint)api.FspDebugLogSetHandle);
            Assert.Equal(addresses["FspNtStatusFromWin32"], (nint)api.FspNtStatusFromWin32);
            Assert.Equal(addresses["FspWin32FromNtStatus"], (nint)api.FspWin32FromNtStatus);
        }
    }

    [Fact]
    public void AMissingExportIsNamedInTheError()
    {
        var error = Assert.Throws<WinFspNotInstalledException>(() =>
            WinFspApi.Bind(@"C:\WinFsp\bin\winfsp-x64.dll", name => name == "FspFileSystemSetDebugLogF" ? 0 : 0x1000));

        Assert.Contains("FspFileSystemSetDebugLogF", error.Message, StringComparison.Ordinal);
        Assert.Contains(@"C:\WinFsp\bin\winfsp-x64.dll", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyWinFspMajorVersion2IsAccepted()
    {
        Assert.Equal(new Version(2, 1), WinFspVersion.Check("dll", (2u << 16) | 1));
        Assert.Equal(new Version(2, 2), WinFspVersion.Check("dll", (2u << 16) | 2));
        var error = Assert.Throws<WinFspNotInstalledException>(() => WinFspVersion.Check("winfsp-x64.dll", (1u << 16) | 12));
        Assert.Contains("WinFsp 1.12", error.Message, StringComparison.Ordinal);
    }

    private sealed class FakeRegistry(string? installDir) : IRegistryReader
    {
        public List<(string Key, string Value)> Queries { get; } = [];

        public string? GetString(string keyPath, string valueName)
        {
            Queries.Add((keyPath, valueName));
            return keyPath == WinFspInstallation.RegistryKey && valueName == WinFspInstallation.InstallDirValue ? installDir : null;
        }
    }
}
