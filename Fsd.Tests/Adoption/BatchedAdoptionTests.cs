using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Journal;
using Xunit.Abstractions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Layered.Adoption.Tests;

/// <summary>
/// In-process adoption of a tree large enough for several batches (more files than one batch holds, and files larger
/// than a batch's byte bound), with either way of making a batch durable; then decryption in place must give back the
/// original tree, byte for byte, with modes and times. And a program writing to a file while its batch is in flight
/// loses nothing: the file is converted with its new content or named and left as it is now.
/// </summary>
[Trait("Area", "Cli")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BatchedAdoptionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly byte[] Password = "batched adoption password"u8.ToArray();
    private readonly string _root = Directory.CreateTempSubdirectory("layered-batch-").FullName;
    private string Tree => Path.Combine(_root, "tree");
    private string Original => Path.Combine(_root, "original");

    private void BuildTree()
    {
        var random = new Random(77);
        for (int d = 0; d < 12; d++)
        {
            var dir = Path.Combine(Tree, $"d{d:D2}");
            Directory.CreateDirectory(dir);
            for (int i = 0; i < 100; i++) // 1,200 small files: more than two batches hold by count
                File.WriteAllBytes(Path.Combine(dir, $"f{i:D3}"), Bytes(random, random.Next(1, 3000)));
        }
        File.WriteAllBytes(Path.Combine(Tree, "d03", "big-1"), Bytes(random, 65 << 20)); // over a batch's byte bound
        File.WriteAllBytes(Path.Combine(Tree, "d07", "big-2"), Bytes(random, 5 << 20));
        File.SetUnixFileMode(Path.Combine(Tree, "d07", "big-2"), UnixFileMode.UserRead | UnixFileMode.GroupRead);
        File.SetLastWriteTimeUtc(Path.Combine(Tree, "d05", "f010"), new DateTime(2003, 4, 5, 6, 7, 8, DateTimeKind.Utc));
        File.WriteAllBytes(Path.Combine(Tree, "empty"), []);
        File.CreateSymbolicLink(Path.Combine(Tree, "link"), "d00/f000");
        AdoptionFixture.Sh($"ln '{Tree}/d01/f001' '{Tree}/hard-link' && cp -a '{Tree}' '{Original}'").AssertOk("links and the copy kept aside");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Theory]
    [InlineData(BatchDurability.SyncFileSystem)]
    [InlineData(BatchDurability.SyncEachFile)]
    public void Adoption_in_batches_converts_every_file_and_decryption_gives_back_the_tree(BatchDurability durability)
    {
        BuildTree();
        string expected = AdoptionFixture.Describe(Original);
        var reports = new List<ConversionProgress>();
        using (var vault = CreateVault())
        {
            var result = Convert(vault, ConversionDirection.Encrypt, durability, new SyncProgress(reports.Add));
            Assert.True(result.Complete, string.Join("; ", result.Failures));
            Assert.Equal(12 * 100 + 2 + 1 + 1, result.FilesConverted); // every non-empty file, the symlink, the second hard link
            AssertNothingLeftToEncrypt();
            Assert.True(reports.Count >= 3 && reports[^1].FilesDone == result.FilesConverted, $"{reports.Count} progress reports");
            Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.FilesDone > p.First.FilesDone), "progress must only go forward");
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(Original, "d03", "big-1"))[..64], File.ReadAllBytes(Path.Combine(Tree, "d03", "big-1"))[..64]);

            var back = Convert(vault, ConversionDirection.Decrypt, durability, null);
            Assert.True(back.Complete, string.Join("; ", back.Failures));
        }
        Assert.Equal(expected, AdoptionFixture.Describe(Tree));
    }

    [Fact]
    public void A_file_appended_to_while_its_batch_is_in_flight_keeps_its_new_content()
    {
        // The first batch closes at big-1 (d00 to d03: the byte bound); the second is being written while the first
        // completes, so when the first reports progress the second's first file (the survey lists a folder's files
        // last name first) was most likely copied already: the append lands between copy and rename.
        BuildTree();
        var victim = Path.Combine(Tree, "d04", "f099");
        bool appended = false;
        ConversionResult result;
        using (var vault = CreateVault())
        {
            result = Convert(vault, ConversionDirection.Encrypt, BatchDurability.SyncFileSystem, new SyncProgress(p =>
            {
                if (appended || p.FilesDone < 100)
                    return;
                appended = true;
                using var s = new FileStream(victim, FileMode.Append);
                s.Write("appended while adopting"u8);
            }));
            Assert.True(appended);
            var victimFailure = result.Failures.SingleOrDefault(f => f.Path == "/d04/f099");
            Assert.Equal(victimFailure is null ? 0 : 1, result.Failures.Count);
            output.WriteLine(victimFailure is null ? "the append came before the copy: converted with it" : "the append came between copy and rename: left as it is");
            if (victimFailure is not null)
            {
                Assert.Contains("changed while it was being converted", victimFailure.Reason);
                Assert.EndsWith("appended while adopting", File.ReadAllText(victim)); // left as it is now, plaintext
                Assert.Equal(victim, Assert.Single(PlaintextLeft()));
            }
            else
                AssertNothingLeftToEncrypt();
            var back = Convert(vault, ConversionDirection.Decrypt, BatchDurability.SyncFileSystem, null);
            Assert.True(back.Complete, string.Join("; ", back.Failures));
        }
        var original = File.ReadAllBytes(Path.Combine(Original, "d04", "f099"));
        Assert.Equal([.. original, .. "appended while adopting"u8.ToArray()], File.ReadAllBytes(victim));
    }

    private Vault CreateVault()
    {
        Vault.Create(Tree, Password, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly }).Dispose();
        using (var store = new DirectoryBackingStore(Tree))
            Volume.InitializeStore(store, new JournalOptions(), NullLoggerFactory.Instance);
        return Vault.Unlock(Tree, Password);
    }

    private ConversionResult Convert(Vault vault, ConversionDirection direction, BatchDurability durability, IProgress<ConversionProgress>? progress)
    {
        using var store = new DirectoryBackingStore(Tree);
        using var volume = Volume.Mount(new VolumeOptions { Store = store, Vault = vault, LoggerFactory = NullLoggerFactory.Instance, CheckpointInterval = TimeSpan.Zero });
        return new FolderConverter(volume, NullLogger.Instance) { Durability = durability }.Run(direction, progress, CancellationToken.None);
    }

    private void AssertNothingLeftToEncrypt()
    {
        Assert.Empty(PlaintextLeft());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Tree, ".layered", "tmp")));
    }

    private List<string> PlaintextLeft()
    {
        using var store = new DirectoryBackingStore(Tree);
        return FolderSurvey.Run(store, ConversionDirection.Encrypt).Items.Select(i => Path.Combine(Tree, i.StorePath)).ToList();
    }

    private static byte[] Bytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    /// <summary>Reports on the converting thread (Progress&lt;T&gt; would post to the thread pool, after the fact).</summary>
    private sealed class SyncProgress(Action<ConversionProgress> report) : IProgress<ConversionProgress>
    {
        public void Report(ConversionProgress value) => report(value);
    }
}
