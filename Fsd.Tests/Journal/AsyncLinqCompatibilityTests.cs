namespace Layered.Journal.Tests;

/// <summary>
/// FASTER brings System.Linq.Async 6.0.1 with it, whose extension methods make LINQ over IAsyncEnumerable
/// ambiguous (CS0121) on .NET 10 in every project that references the journal. The journal pins 7.0.1; this
/// file would not compile if the clash came back.
/// </summary>
[Trait("Area", "Journal")]
public sealed class AsyncLinqCompatibilityTests
{
    private static async IAsyncEnumerable<int> Numbers()
    {
        for (int i = 0; i < 10; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    [Fact]
    public async Task LinqOverAsyncEnumerablesResolvesUnambiguously()
    {
        var evens = await Numbers().Where(n => n % 2 == 0).Take(3).ToListAsync();

        Assert.Equal([0, 2, 4], evens);
    }
}
