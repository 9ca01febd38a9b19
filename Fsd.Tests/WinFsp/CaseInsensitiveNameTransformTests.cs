using Layered.Backing;
using Layered.Fsd;

namespace Layered.WinFsp.Tests;

/// <summary>The engine's case-insensitive, case-preserving name lookup, on a real store.</summary>
[Trait("Area", "WinFsp")]
public sealed class CaseInsensitiveNameTransformTests
{
    private static InMemoryBackingStore StoreWith(params string[] directories)
    {
        var store = new InMemoryBackingStore();
        foreach (var directory in directories)
            store.CreateDirectory(directory);
        return store;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryComponentResolvesToItsStoredCaseAndMissingOnesKeepTheCallers(bool caseSensitiveStore)
    {
        using var store = StoreWith("Alpha", "Alpha/Beta");
        var names = new CaseInsensitiveNameTransform(store, caseSensitiveStore);
        Assert.Equal("Alpha/Beta", names.ToStorePath("ALPHA/beta"));
        Assert.Equal("Alpha/Beta/NewFile", names.ToStorePath("alpha/BETA/NewFile"));
        Assert.Equal("Alpha/Missing/Deeper", names.ToStorePath("alpha/Missing/Deeper"));
        Assert.Equal("", names.ToStorePath(""));
    }

    [Fact]
    public void AnExactNameWinsOverOneThatDiffersOnlyInCaseAndOtherwiseTheOrdinallySmallest()
    {
        using var store = StoreWith("name", "NAME", "Name");
        var names = new CaseInsensitiveNameTransform(store, storeIsCaseSensitive: true);
        Assert.Equal("Name", names.ToStorePath("Name"));
        Assert.Equal("name", names.ToStorePath("name"));
        Assert.Equal("NAME", names.ToStorePath("nAmE"));
    }

    [Fact]
    public void TheVaultsOwnFolderIsHiddenInAnyCase()
    {
        using var store = StoreWith();
        var names = new CaseInsensitiveNameTransform(store, storeIsCaseSensitive: true);
        Assert.Null(names.ToPlainName("", ".layered"));
        Assert.Null(names.ToPlainName("", ".LAYERED"));
        Assert.Equal(".layered", names.ToPlainName("sub", ".layered"));
    }
}
