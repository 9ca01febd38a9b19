using Layered.WinFsp.Managed;

namespace Layered.WinFsp.Tests;

[Trait("Area", "WinFsp")]
public sealed class FileContextTableTests
{
    [Fact]
    public void IdsAreNonZeroAndResolveToTheirObject()
    {
        var table = new FileContextTable();
        object a = new();
        object b = new();
        nuint idA = table.Add(a);
        nuint idB = table.Add(b);

        Assert.NotEqual((nuint)0, idA);
        Assert.NotEqual(idA, idB);
        Assert.True(table.TryGet(idA, out object? found));
        Assert.Same(a, found);
        Assert.False(table.TryGet(0, out _));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void AStaleIdDoesNotResolveEvenWhenItsSlotIsReused()
    {
        var table = new FileContextTable();
        nuint old = table.Add("first");
        Assert.True(table.TryRemove(old, out object? removed));
        Assert.Equal("first", removed);

        nuint reused = table.Add("second");

        Assert.NotEqual(old, reused);
        Assert.Equal(old & 0xFFFFFFFF, reused & 0xFFFFFFFF);
        Assert.False(table.TryGet(old, out _));
        Assert.False(table.TryRemove(old, out _));
        Assert.True(table.TryGet(reused, out object? current));
        Assert.Equal("second", current);
    }

    [Fact]
    public void RemoveAllReturnsEveryOpenContextOnce()
    {
        var table = new FileContextTable();
        var items = Enumerable.Range(0, 100).Select(i => (object)i).ToList();
        var ids = items.Select(table.Add).ToList();
        table.TryRemove(ids[10], out _);

        List<object> swept = table.RemoveAll();

        Assert.Equal(99, swept.Count);
        Assert.DoesNotContain(10, swept);
        Assert.Equal(0, table.Count);
        Assert.Empty(table.RemoveAll());
    }

    [Fact]
    public void ConcurrentOpensAndClosesLeaveNothingBehind()
    {
        var table = new FileContextTable();
        Parallel.For(0, 4, worker =>
        {
            for (int i = 0; i < 2000; i++)
            {
                object item = new();
                nuint id = table.Add(item);
                Assert.True(table.TryGet(id, out object? found));
                Assert.Same(item, found);
                Assert.True(table.TryRemove(id, out object? removed));
                Assert.Same(item, removed);
            }
        });

        Assert.Equal(0, table.Count);
    }
}
