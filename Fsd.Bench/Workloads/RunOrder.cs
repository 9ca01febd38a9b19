namespace Layered.Fsd.Bench.Workloads;

/// <summary>
/// The order contenders run in, per run. Rotating one fixed order only moves the starting point: every contender
/// would always follow the same one and inherit what it leaves behind (dirty pages still being written back, tens
/// of thousands of freed inodes that ext4 searches past for a minute or more). So the order also changes shape:
/// runs cycle through the base order, its reverse, and every second contender first, each rotated by the run
/// number, and each contender's predecessor changes from run to run.
/// </summary>
internal static class RunOrder
{
    public static IReadOnlyList<T> For<T>(IReadOnlyList<T> contenders, int run)
    {
        int n = contenders.Count;
        if (n == 0)
            return [];
        int shift = run / 3 % n;
        var rotated = contenders.Skip(shift).Concat(contenders.Take(shift)).ToList();
        return (run % 3) switch
        {
            0 => rotated,
            1 => Enumerable.Reverse(rotated).ToList(),
            _ => rotated.Where((_, i) => i % 2 == 0).Concat(rotated.Where((_, i) => i % 2 == 1)).ToList(),
        };
    }
}
