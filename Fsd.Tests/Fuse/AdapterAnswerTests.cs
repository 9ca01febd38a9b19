using Layered.Backing;
using Layered.Crypto;
using Layered.Fsd;
using Layered.Fuse.Adapter;
using Layered.Journal;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>
/// libfuse's high-level layer answers CREATE and SETATTR by calling getattr for the same handle right after a
/// success, on the same thread; the adapter answers that getattr with what the operation itself found, without a
/// second stat of the backing file. Driven here the way libfuse drives it, with no mount in between.
/// </summary>
[Trait("Area", "Fuse")]
public sealed class AdapterAnswerTests : IDisposable
{
    private static readonly FuseRequestContext Root = new(0, 0, 1, 0);
    private readonly string _root = Directory.CreateTempSubdirectory("layered-answer-").FullName;
    private readonly Vault _keys;
    private readonly InMemoryBackingStore _store = new();
    private readonly Volume _volume;
    private readonly EngineFileSystem _fs;

    public AdapterAnswerTests()
    {
        _keys = Vault.Create(_root, "pw"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly });
        Volume.InitializeStore(_store, new JournalOptions(), NullLoggerFactory.Instance);
        _volume = Volume.Mount(new VolumeOptions { Store = _store, Vault = _keys, CheckpointInterval = TimeSpan.Zero });
        _fs = new EngineFileSystem(_volume);
    }

    public void Dispose()
    {
        _volume.Dispose();
        _store.Dispose();
        _keys.Dispose();
        Directory.Delete(_root, true);
    }

    private ulong Create(string path)
    {
        var file = new FuseFileInfo { Flags = OpenFlags.ReadWrite | OpenFlags.Exclusive };
        Assert.Equal(0, _fs.Create(Root, System.Text.Encoding.UTF8.GetBytes(path), 0b110_100_100, ref file));
        return file.Handle;
    }

    private FileStat Stat(string path, ulong handle)
    {
        var stat = new FileStat();
        Assert.Equal(0, _fs.GetAttributes(Root, System.Text.Encoding.UTF8.GetBytes(path), ref stat, handle));
        return stat;
    }

    [Fact]
    public void TheGetattrAfterCreateAndAfterATimeChangeAnswersWhatAFreshStatAnswers()
    {
        ulong h = Create("/a");
        var answered = Stat("/a", h);
        var fresh = Stat("/a", h);
        Assert.Equal(fresh, answered);
        Assert.Equal(0b110_100_100u, answered.Mode & 0xFFF);

        var when = PosixTime.FromDateTime(new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        Assert.Equal(0, _fs.SetTimes(Root, [], new PosixTime(0, PosixTime.UtimeOmit), when, h));
        answered = Stat("/a", h);
        fresh = Stat("/a", h);
        Assert.Equal(fresh, answered);
        Assert.Equal(when, answered.ModificationTime);
    }

    [Fact]
    public void AnAnswerServesOnlyTheNextGetattrAndOnlyForItsHandle()
    {
        ulong a = Create("/a");
        _ = Stat("/a", a);
        ulong b = Create("/b");
        // Another handle's getattr is not answered from b's create, and takes the answer away.
        var statA = Stat("/a", a);
        Assert.NotEqual(Stat("/b", b).Inode, statA.Inode);
        var file = new FuseFileInfo { Handle = b, Flags = OpenFlags.ReadWrite };
        Assert.Equal(5, _fs.Write(Root, "hello"u8, 0, ref file));
        Assert.Equal(5, Stat("/b", b).Size);

        // An open is not followed by a getattr: it leaves no answer behind for a later one.
        var opened = new FuseFileInfo { Flags = OpenFlags.ReadWrite };
        Assert.Equal(0, _fs.Open(Root, "/a"u8, ref opened));
        var other = new FuseFileInfo { Handle = a, Flags = OpenFlags.ReadWrite };
        Assert.Equal(3, _fs.Write(Root, "abc"u8, 0, ref other));
        Assert.Equal(3, Stat("/a", opened.Handle).Size);
    }
}
