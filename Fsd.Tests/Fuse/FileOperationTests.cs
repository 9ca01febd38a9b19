using System.Text;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>
/// Real system calls on a real mount: each test proves that one kind of request crosses the
/// interop both ways with its data, flags and errno intact.
/// </summary>
[Trait("Area", "Fuse")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed unsafe class FileOperationTests : IDisposable
{
    private const uint RenameNoReplace = 1;
    private const uint RenameExchange = 2;

    private readonly TestMount _mount = TestMount.Start();
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public FileOperationTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    public void Dispose() => _mount.Dispose();

    [Fact]
    public void CreateWriteReadBack()
    {
        string path = _mount.PathOf("data.bin");
        byte[] data = RandomBytes(100_000, seed: 1);
        File.WriteAllBytes(path, data);

        Assert.Equal(data, File.ReadAllBytes(path));
        Assert.Equal(data.Length, new FileInfo(path).Length);
        Assert.Equal(0, _mount.FileSystem.OpenHandles);
    }

    [Fact]
    public void A_file_system_without_flush_is_asked_once_and_close_still_delivers_the_data()
    {
        _mount.FileSystem.WithoutFlush = true;
        for (int i = 0; i < 20; i++)
        {
            string path = _mount.PathOf($"closed-{i}");
            byte[] data = RandomBytes(10_000 + i, seed: i);
            File.WriteAllBytes(path, data);
            Assert.Equal(data, File.ReadAllBytes(path));
        }
        // The first -ENOSYS ends FLUSH for the mount: 40 closes, one request. (The engine adapter relies on this to
        // save a request per close; the kernel still writes dirty pages back at close.)
        Assert.Equal(1, _mount.FileSystem.FlushCalls);
        // RELEASE is asynchronous after close(2) (without a FLUSH round trip before it, the last one may still
        // be on its way when the loop ends).
        Eventually.Reached(() => _mount.FileSystem.OpenHandles == 0);
        Assert.Equal(0, _mount.FileSystem.OpenHandles);
    }

    [Fact]
    public void AppendWritesLandAtTheEnd()
    {
        string path = _mount.PathOf("log.txt");
        File.WriteAllText(path, "first\n");
        for (int i = 0; i < 3; i++)
        {
            int fd = PosixCalls.open(path, PosixCalls.O_WRONLY | PosixCalls.O_APPEND, 0);
            Assert.True(fd >= 0, $"open failed: errno {PosixCalls.LastErrno}");
            byte[] line = Encoding.ASCII.GetBytes($"line {i}\n");
            fixed (byte* p = line)
            {
                Assert.Equal(line.Length, (int)PosixCalls.write(fd, p, (nuint)line.Length));
            }

            Assert.Equal(0, PosixCalls.close(fd));
        }

        Assert.Equal("first\nline 0\nline 1\nline 2\n", File.ReadAllText(path));
    }

    [Fact]
    public void RenameNoReplaceRefusesAnExistingTargetAndKeepsBoth()
    {
        File.WriteAllText(_mount.PathOf("a"), "A");
        File.WriteAllText(_mount.PathOf("b"), "B");

        Assert.Equal(-1, PosixCalls.renameat2(PosixCalls.AT_FDCWD, _mount.PathOf("a"), PosixCalls.AT_FDCWD, _mount.PathOf("b"), RenameNoReplace));
        Assert.Equal(Errno.EEXIST, PosixCalls.LastErrno);
        Assert.Equal("A", File.ReadAllText(_mount.PathOf("a")));
        Assert.Equal("B", File.ReadAllText(_mount.PathOf("b")));

        Assert.Equal(0, PosixCalls.renameat2(PosixCalls.AT_FDCWD, _mount.PathOf("a"), PosixCalls.AT_FDCWD, _mount.PathOf("c"), RenameNoReplace));
        Assert.False(File.Exists(_mount.PathOf("a")));
        Assert.Equal("A", File.ReadAllText(_mount.PathOf("c")));
    }

    [Fact]
    public void RenameExchangeSwapsTwoFiles()
    {
        File.WriteAllText(_mount.PathOf("x"), "X");
        File.WriteAllText(_mount.PathOf("y"), "Y");
        Assert.Equal(0, PosixCalls.renameat2(PosixCalls.AT_FDCWD, _mount.PathOf("x"), PosixCalls.AT_FDCWD, _mount.PathOf("y"), RenameExchange));
        Assert.Equal("Y", File.ReadAllText(_mount.PathOf("x")));
        Assert.Equal("X", File.ReadAllText(_mount.PathOf("y")));

        Assert.Equal(-1, PosixCalls.renameat2(PosixCalls.AT_FDCWD, _mount.PathOf("x"), PosixCalls.AT_FDCWD, _mount.PathOf("missing"), RenameExchange));
        Assert.Equal(Errno.ENOENT, PosixCalls.LastErrno);
    }

    [Fact]
    public void PlainRenameReplacesTheTarget()
    {
        File.WriteAllText(_mount.PathOf("old"), "new content");
        File.WriteAllText(_mount.PathOf("target"), "replaced");
        File.Move(_mount.PathOf("old"), _mount.PathOf("target"), overwrite: true);
        Assert.False(File.Exists(_mount.PathOf("old")));
        Assert.Equal("new content", File.ReadAllText(_mount.PathOf("target")));
    }

    [Fact]
    public void UnlinkRemovesTheNameButAnOpenHandleStillReads()
    {
        string path = _mount.PathOf("doomed");
        File.WriteAllText(path, "still readable");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            File.Delete(path);
            Assert.False(File.Exists(path));
            using var reader = new StreamReader(stream);
            Assert.Equal("still readable", reader.ReadToEnd());
        }

        Assert.Empty(Directory.GetFileSystemEntries(_mount.MountPoint));
        Assert.Empty(Directory.GetFiles(_mount.MountPoint, ".fuse_hidden*"));
    }

    [Fact]
    public void MakeAndRemoveDirectories()
    {
        string directory = _mount.PathOf("dir");
        Directory.CreateDirectory(Path.Combine(directory, "sub"));
        Assert.True(Directory.Exists(Path.Combine(directory, "sub")));

        Assert.Throws<IOException>(() => Directory.Delete(directory)); // ENOTEMPTY
        Directory.Delete(Path.Combine(directory, "sub"));
        Directory.Delete(directory);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void ReaddirReturnsEveryOneOfManyEntries()
    {
        const int Count = 2000; // several READDIR requests of about 4 KiB each
        string directory = _mount.PathOf("many");
        Directory.CreateDirectory(directory);
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Count; i++)
        {
            string name = $"entry-{i:D5}-with-a-longer-name";
            File.WriteAllBytes(Path.Combine(directory, name), []);
            expected.Add(name);
        }

        var listed = new SortedSet<string>(Directory.EnumerateFileSystemEntries(directory).Select(p => Path.GetFileName(p)!), StringComparer.Ordinal);
        Assert.Equal(expected, listed);
    }

    [Fact]
    public void SymlinkAndReadlink()
    {
        File.WriteAllText(_mount.PathOf("real"), "through the link");
        File.CreateSymbolicLink(_mount.PathOf("link"), "real");
        Assert.Equal("real", new FileInfo(_mount.PathOf("link")).LinkTarget);
        Assert.Equal("through the link", File.ReadAllText(_mount.PathOf("link")));

        var stat = PosixCalls.Stat(_mount.PathOf("link"));
        Assert.Equal(FileModes.Symlink, stat.Mode & FileModes.TypeMask);
        Assert.Equal(4, stat.Size);
    }

    [Fact]
    public void HardLinkSharesInodeAndCountsLinks()
    {
        File.WriteAllText(_mount.PathOf("original"), "shared");
        Assert.Equal(0, PosixCalls.link(_mount.PathOf("original"), _mount.PathOf("alias")));

        var original = PosixCalls.Stat(_mount.PathOf("original"));
        var alias = PosixCalls.Stat(_mount.PathOf("alias"));
        Assert.Equal(original.Inode, alias.Inode); // use_ino: the file system's inode numbers reach user space
        Assert.Equal(2UL, alias.Links);
        Assert.Equal("shared", File.ReadAllText(_mount.PathOf("alias")));
    }

    [Fact]
    public void ChmodChangesPermissionBitsOnly()
    {
        string path = _mount.PathOf("mode");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        var stat = PosixCalls.Stat(path);
        Assert.Equal(FileModes.Regular | 0x160u, stat.Mode); // 0540
    }

    [Fact]
    public void UtimensSetsExactTimesAndOmitLeavesOne()
    {
        string path = _mount.PathOf("times");
        File.WriteAllText(path, "t");
        PosixTime* times = stackalloc PosixTime[2];
        times[0] = new PosixTime(1_000_000_000, 123_456_789);
        times[1] = new PosixTime(1_500_000_000, 987_654_321);
        Assert.Equal(0, PosixCalls.utimensat(PosixCalls.AT_FDCWD, path, times, 0));
        Assert.Equal(new PosixTime(1_500_000_000, 987_654_321), PosixCalls.Stat(path).ModificationTime);

        times[0] = new PosixTime(0, PosixTime.UtimeNow);
        times[1] = new PosixTime(0, PosixTime.UtimeOmit);
        Assert.Equal(0, PosixCalls.utimensat(PosixCalls.AT_FDCWD, path, times, 0));
        Assert.Equal(new PosixTime(1_500_000_000, 987_654_321), PosixCalls.Stat(path).ModificationTime);
    }

    [Fact]
    public void ExtendedAttributesRoundTripWithTheirFlagsAndErrors()
    {
        string path = _mount.PathOf("xattrs");
        File.WriteAllText(path, "x");
        byte[] value = Encoding.UTF8.GetBytes("value-1");
        fixed (byte* v = value)
        {
            Assert.Equal(0, PosixCalls.setxattr(path, "user.one", v, (nuint)value.Length, 0));
            Assert.Equal(-1, PosixCalls.setxattr(path, "user.one", v, (nuint)value.Length, (int)XattrFlags.Create));
            Assert.Equal(Errno.EEXIST, PosixCalls.LastErrno);
            Assert.Equal(-1, PosixCalls.setxattr(path, "user.two", v, (nuint)value.Length, (int)XattrFlags.Replace));
            Assert.Equal(Errno.ENODATA, PosixCalls.LastErrno);
            Assert.Equal(0, PosixCalls.setxattr(path, "user.two", v, 3, 0));
        }

        Assert.Equal(value.Length, (int)PosixCalls.getxattr(path, "user.one", null, 0));
        byte* buffer = stackalloc byte[64];
        Assert.Equal(value.Length, (int)PosixCalls.getxattr(path, "user.one", buffer, 64));
        Assert.Equal("value-1", Encoding.UTF8.GetString(buffer, value.Length));
        Assert.Equal(-1, (int)PosixCalls.getxattr(path, "user.one", buffer, 2));
        Assert.Equal(Errno.ERANGE, PosixCalls.LastErrno);

        int listLength = (int)PosixCalls.listxattr(path, buffer, 64);
        string[] names = Encoding.UTF8.GetString(buffer, listLength).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["user.one", "user.two"], names.Order().ToArray());

        Assert.Equal(0, PosixCalls.removexattr(path, "user.one"));
        Assert.Equal(-1, (int)PosixCalls.getxattr(path, "user.one", buffer, 64));
        Assert.Equal(Errno.ENODATA, PosixCalls.LastErrno);
    }

    [Fact]
    public void StatfsReportsTheFileSystemsNumbers()
    {
        FileSystemStatistics statistics;
        Assert.Equal(0, PosixCalls.statvfs(_mount.MountPoint, &statistics));
        Assert.Equal(4096UL, statistics.BlockSize);
        Assert.Equal(1_000_000UL, statistics.Blocks);
        Assert.Equal(750_000UL, statistics.BlocksFree);
        Assert.Equal(700_000UL, statistics.BlocksAvailable);
        Assert.Equal(50_000UL, statistics.Files);
        Assert.Equal(255UL, statistics.MaxNameLength);
    }

    [Fact]
    public void FourMebibyteWriteArrivesInRequestsOfAtLeastOneMebibyte()
    {
        string path = _mount.PathOf("big.bin");
        byte[] data = RandomBytes(4 * 1024 * 1024, seed: 2);
        int fd = PosixCalls.open(path, PosixCalls.O_RDWR | PosixCalls.O_CREAT, 0x1A4);
        Assert.True(fd >= 0, $"open failed: errno {PosixCalls.LastErrno}");
        try
        {
            fixed (byte* p = data)
            {
                Assert.Equal(data.Length, (int)PosixCalls.write(fd, p, (nuint)data.Length));
            }

            Assert.Equal(0, PosixCalls.fsync(fd));
        }
        finally
        {
            PosixCalls.close(fd);
        }

        Assert.True(_mount.FileSystem.LargestWrite >= 1024 * 1024, $"largest write request was {_mount.FileSystem.LargestWrite} bytes");
        Assert.Equal(data, File.ReadAllBytes(path));
        _output.WriteLine($"largest write request {_mount.FileSystem.LargestWrite} bytes, largest read request {_mount.FileSystem.LargestRead} bytes");
    }

    [Fact]
    public void ErrnoFromTheFileSystemReachesTheCallerAtWriteWithoutWritebackCaching()
    {
        using var mount = TestMount.Start(mountPoint => new FuseMountOptions { MountPoint = mountPoint, WritebackCache = false });
        string path = mount.PathOf("enospc");
        File.WriteAllBytes(path, []);
        int fd = PosixCalls.open(path, PosixCalls.O_WRONLY, 0);
        Assert.True(fd >= 0);
        try
        {
            byte[] data = [1, 2, 3];
            fixed (byte* p = data)
            {
                Assert.Equal(-1, (int)PosixCalls.write(fd, p, 3));
            }

            Assert.Equal(Errno.ENOSPC, PosixCalls.LastErrno);
        }
        finally
        {
            PosixCalls.close(fd);
        }

        var missing = PosixCalls.Stat(mount.PathOf("not-there"));
        Assert.Equal(-1, missing.Result);
        Assert.Equal(Errno.ENOENT, missing.Errno);
    }

    [Fact]
    public void WriteErrorReachesTheCallerAtFsyncUnderWritebackCaching()
    {
        // Writeback caching (the default) takes write(2) into the page cache; the file system sees the data when
        // the kernel writes it back, so its error comes back from fsync (and close), as on any cached file system.
        string path = _mount.PathOf("enospc");
        File.WriteAllBytes(path, []);
        int fd = PosixCalls.open(path, PosixCalls.O_WRONLY, 0);
        Assert.True(fd >= 0);
        try
        {
            byte[] data = [1, 2, 3];
            fixed (byte* p = data)
            {
                Assert.Equal(3, (int)PosixCalls.write(fd, p, 3));
            }

            Assert.Equal(-1, PosixCalls.fsync(fd));
            Assert.Equal(Errno.ENOSPC, PosixCalls.LastErrno);
        }
        finally
        {
            PosixCalls.close(fd);
        }
    }

    [Fact]
    public void ExceptionInACallbackBecomesEioAndTheMountKeepsServing()
    {
        var failed = PosixCalls.Stat(_mount.PathOf("throw-me"));
        Assert.Equal(-1, failed.Result);
        Assert.Equal(Errno.EIO, failed.Errno);
        Assert.True(_mount.Host.CallbackFailures >= 1);
        Assert.Contains(_mount.Log.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);

        File.WriteAllText(_mount.PathOf("after"), "alive");
        Assert.Equal("alive", File.ReadAllText(_mount.PathOf("after")));
    }

    [Fact]
    public void FallocateExtendsAndUnsupportedModeIsEopnotsupp()
    {
        string path = _mount.PathOf("allocated");
        int fd = PosixCalls.open(path, PosixCalls.O_RDWR | PosixCalls.O_CREAT, 0x1A4);
        Assert.True(fd >= 0);
        try
        {
            Assert.Equal(0, PosixCalls.fallocate(fd, 0, 0, 8192));
            Assert.Equal(-1, PosixCalls.fallocate(fd, 0x02 | 0x01, 0, 4096)); // PUNCH_HOLE | KEEP_SIZE
            Assert.Equal(Errno.EOPNOTSUPP, PosixCalls.LastErrno);
        }
        finally
        {
            PosixCalls.close(fd);
        }

        Assert.Equal(8192, new FileInfo(path).Length);
    }

    [Fact]
    public void TruncateShrinksAndZeroExtends()
    {
        string path = _mount.PathOf("trunc");
        File.WriteAllBytes(path, RandomBytes(10_000, seed: 3));
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(100);
            stream.SetLength(200);
        }

        byte[] content = File.ReadAllBytes(path);
        Assert.Equal(200, content.Length);
        Assert.Equal(RandomBytes(10_000, seed: 3).AsSpan(0, 100).ToArray(), content[..100]);
        Assert.All(content[100..], b => Assert.Equal(0, b));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
