namespace Layered.Journal.Tests;

/// <summary>One record of every kind, with non-trivial values in every field (non-ASCII paths, extreme numbers).</summary>
internal static class SampleRecords
{
    public static readonly UInt128 Id = new(0x0123456789abcdef, 0xfedcba9876543210);

    public static IReadOnlyList<JournalRecord> All() =>
    [
        new CreateRecord(Id, "dir/ünïcødé 文件.txt", NodeKind.File, 0x81A4, 1000, -1, 0x20, long.MinValue, [1, 2, 3]),
        new CreateRecord(Id, "link", NodeKind.Symlink, 0xA1FF, 0, 0, 0, 5, []),
        new RenameRecord(Id, "a/b", "c/d", UInt128.MaxValue, RenameMode.Exchange),
        new RenameRecord(Id, "x", "y", 0, RenameMode.NoReplace),
        new RemoveRecord(Id, "gone", NodeKind.Directory),
        new LinkRecord(Id, "existing", "new name"),
        new OrphanRecord(Id, "open file", ".layered/orphans/42"),
        new OrphanFreedRecord(Id, ".layered/orphans/42"),
        new SetSizeRecord(Id, "f", long.MaxValue, 12345),
        new SetAttributesRecord(Id, "f", AttributeFields.Mode | AttributeFields.ChangeTime, 0x1ED, 1, 2, 3, 4, 5, 6, 7),
        new SetSecurityRecord(Id, "f", [0xde, 0xad, 0xbe, 0xef]),
        new SetXattrRecord(Id, "f", "user.name", [9, 8, 7]),
        new SetXattrRecord(Id, "f", "user.removed", null),
        new SetXattrRecord(Id, "f", "user.empty", []),
        new ChunkImageRecord(Id, "big", 77, Enumerable.Range(0, 4096 + 48).Select(i => (byte)i).ToArray(), 1 << 20, 4096),
        new CheckpointRecord(123456789),
    ];

    /// <summary>Structural equality that compares array contents (records compare arrays by reference).</summary>
    public static void AssertSame(JournalRecord expected, JournalRecord actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (var property in expected.GetType().GetProperties().Where(p => p.Name != "EqualityContract"))
        {
            object? e = property.GetValue(expected), a = property.GetValue(actual);
            if (e is byte[] eb)
                Assert.Equal(eb, Assert.IsType<byte[]>(a));
            else
                Assert.Equal(e, a);
        }
    }
}
