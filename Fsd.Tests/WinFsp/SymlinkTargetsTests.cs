using Layered.WinFsp.Adapter;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests;

/// <summary>The written rules between Windows symlink targets and engine (POSIX) targets (docs/windows.md).</summary>
[Trait("Area", "WinFsp")]
public sealed class SymlinkTargetsTests
{
    [Theory]
    [InlineData(@"file.txt", false, "file.txt")]
    [InlineData(@"..\a\b.txt", false, "../a/b.txt")]
    [InlineData(@"..\dir", true, "../dir/")]
    [InlineData(@"..\dir\", true, "../dir//")]
    [InlineData(@"\rooted\x", false, "/rooted/x")]
    [InlineData(@"\", true, "//")]
    [InlineData(@"a/b", false, "a/b")]
    public void RelativeWindowsTargetsBecomePosixTargets(string windows, bool directory, string engine)
    {
        var data = new SymlinkReparseData(windows, "ignored print name", Relative: true);
        Assert.Equal(NtStatus.Success, SymlinkTargets.ToEngine(data, 0, directory, out string target));
        Assert.Equal(engine, target);
    }

    [Theory]
    [InlineData(@"file.txt", false)]
    [InlineData(@"..\a\b.txt", false)]
    [InlineData(@"..\dir", true)]
    [InlineData(@"..\dir\", true)]
    [InlineData(@"\rooted\x", false)]
    [InlineData(@"\", true)]
    public void EveryRelativeTargetReadsBackExactly(string windows, bool directory)
    {
        Assert.Equal(NtStatus.Success, SymlinkTargets.ToEngine(new SymlinkReparseData(windows, windows, true), 0, directory, out string target));
        var back = SymlinkTargets.ToWindows(target, out bool backDirectory);
        Assert.Equal(new SymlinkReparseData(windows, windows, Relative: true), back);
        Assert.Equal(directory, backDirectory);
    }

    [Fact]
    public void AnAbsoluteTargetOnThisVolumeIsStoredRootedAtTheVolume()
    {
        var data = new SymlinkReparseData(@"\??\L:\docs\a.txt", @"L:\docs\a.txt", Relative: false);
        int offset = @"\??\L:".Length * sizeof(char);
        Assert.Equal(NtStatus.Success, SymlinkTargets.ToEngine(data, offset, directory: false, out string target));
        Assert.Equal("/docs/a.txt", target);
        Assert.Equal(new SymlinkReparseData(@"\docs\a.txt", @"\docs\a.txt", true), SymlinkTargets.ToWindows(target, out _));
    }

    [Fact]
    public void AnAbsoluteTargetElsewhereIsRefused()
    {
        var data = new SymlinkReparseData(@"\??\C:\Windows", @"C:\Windows", Relative: false);
        Assert.Equal(NtStatus.AccessDenied, SymlinkTargets.ToEngine(data, 0, directory: true, out _));
        Assert.Equal(NtStatus.AccessDenied, SymlinkTargets.ToEngine(data, 3, directory: true, out _)); // not a character boundary
    }

    [Theory]
    [InlineData("a\0b", false)]
    [InlineData(@"dir\", false)]
    public void TargetsThatCouldNeverResolveAreRefused(string windows, bool directory) =>
        Assert.Equal(NtStatus.IoReparseDataInvalid, SymlinkTargets.ToEngine(new SymlinkReparseData(windows, windows, true), 0, directory, out _));

    [Fact]
    public void ATargetLongerThanTheEngineKeepsIsRefused()
    {
        string windows = new('x', SymlinkTargets.MaxTargetBytes + 1);
        Assert.Equal(NtStatus.IoReparseDataInvalid, SymlinkTargets.ToEngine(new SymlinkReparseData(windows, windows, true), 0, false, out _));
    }

    [Theory]
    [InlineData("sub/file.txt", @"sub\file.txt", false)]
    [InlineData("/abs/dir", @"\abs\dir", false)]
    [InlineData("../up/", @"..\up", true)]
    [InlineData("/", @"\", true)]
    public void PosixTargetsReadAsRelativeWindowsTargets(string engine, string windows, bool directory)
    {
        Assert.Equal(new SymlinkReparseData(windows, windows, true), SymlinkTargets.ToWindows(engine, out bool isDirectory));
        Assert.Equal(directory, isDirectory);
    }
}
