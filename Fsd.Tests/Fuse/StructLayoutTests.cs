using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Layered.Fuse.Interop;
using Xunit;

namespace Layered.Fuse.Tests;

/// <summary>Every bound struct, field by field, against what gcc says about the installed headers.</summary>
[Trait("Area", "Fuse")]
public class StructLayoutTests
{
    public static TheoryData<string, Type, string, string> Fields()
    {
        var data = new TheoryData<string, Type, string, string>();
        Type stat = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? typeof(StatArm64) : typeof(StatX64);
        foreach (string field in new[] { "st_dev", "st_ino", "st_nlink", "st_mode", "st_uid", "st_gid", "st_rdev", "st_size", "st_blksize", "st_blocks", "st_atim", "st_mtim", "st_ctim" })
        {
            data.Add("stat", stat, field, field);
        }

        data.Add("timespec", typeof(PosixTime), "tv_sec", "<Seconds>k__BackingField");
        data.Add("timespec", typeof(PosixTime), "tv_nsec", "<Nanoseconds>k__BackingField");

        AddMapped(data, "statvfs", typeof(FileSystemStatistics), new()
        {
            ["f_bsize"] = "BlockSize", ["f_frsize"] = "FragmentSize", ["f_blocks"] = "Blocks", ["f_bfree"] = "BlocksFree",
            ["f_bavail"] = "BlocksAvailable", ["f_files"] = "Files", ["f_ffree"] = "FilesFree", ["f_favail"] = "FilesAvailable",
            ["f_fsid"] = "FileSystemId", ["f_flag"] = "MountFlags", ["f_namemax"] = "MaxNameLength",
        });
        AddMapped(data, "fuse_file_info", typeof(FuseFileInfo), new()
        {
            ["flags"] = "Flags", ["fh"] = "Handle", ["lock_owner"] = "LockOwner", ["poll_events"] = "PollEvents",
        });
        AddMapped(data, "fuse_conn_info", typeof(FuseConnectionInfo), new()
        {
            ["proto_major"] = "ProtocolMajor", ["proto_minor"] = "ProtocolMinor", ["max_write"] = "MaxWrite", ["max_read"] = "MaxRead",
            ["max_readahead"] = "MaxReadahead", ["capable"] = "Capable", ["want"] = "Want", ["max_background"] = "MaxBackground",
            ["congestion_threshold"] = "CongestionThreshold", ["time_gran"] = "TimeGranularity", ["reserved"] = "_reserved",
        });

        foreach (Type type in new[] { typeof(FuseConfig), typeof(FuseContext), typeof(FuseArgs), typeof(FuseOperations) })
        {
            string cName = type.Name switch
            {
                nameof(FuseConfig) => "fuse_config",
                nameof(FuseContext) => "fuse_context",
                nameof(FuseArgs) => "fuse_args",
                _ => "fuse_operations",
            };
            foreach (var field in type.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public))
            {
                data.Add(cName, type, field.Name, field.Name);
            }
        }

        return data;
    }

    private static void AddMapped(TheoryData<string, Type, string, string> data, string cName, Type type, Dictionary<string, string> map)
    {
        foreach ((string cField, string managed) in map)
        {
            data.Add(cName, type, cField, managed);
        }
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void FieldOffsetMatchesTheCHeader(string cStruct, Type managedType, string cField, string managedField)
    {
        Assert.True(NativeLayoutProbe.Layout.TryGetValue((cStruct, cField), out int expected), $"probe printed no {cStruct}.{cField}");
        Assert.Equal(expected, (int)Marshal.OffsetOf(managedType, managedField));
    }

    public static TheoryData<string, Type> Structs() => new()
    {
        { "stat", RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? typeof(StatArm64) : typeof(StatX64) },
        { "timespec", typeof(PosixTime) },
        { "statvfs", typeof(FileSystemStatistics) },
        { "fuse_file_info", typeof(FuseFileInfo) },
        { "fuse_conn_info", typeof(FuseConnectionInfo) },
        { "fuse_config", typeof(FuseConfig) },
        { "fuse_context", typeof(FuseContext) },
        { "fuse_args", typeof(FuseArgs) },
        { "fuse_operations", typeof(FuseOperations) },
    };

    [Theory]
    [MemberData(nameof(Structs))]
    public void StructSizeMatchesTheCHeader(string cStruct, Type managedType)
    {
        int managedSize = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(managedType).Invoke(null, null)!;
        Assert.Equal(NativeLayoutProbe.Layout[(cStruct, "SIZE")], managedSize);
    }

    [Fact]
    public void NativeStatSizeIsTheSizeOfThisArchitecturesStruct()
    {
        Assert.Equal(NativeLayoutProbe.Layout[("stat", "SIZE")], NativeStat.Size);
        Assert.True(NativeStat.Size <= NativeStat.MaxSize);
    }

    public static TheoryData<string, int, Func<FuseFileInfo, bool>, Action<FuseFileInfo[]>?> Bits() => new()
    {
        { "writepage", FuseFileInfo.WritePageBit, f => f.WritePage, null },
        { "direct_io", FuseFileInfo.DirectIoBit, f => f.DirectIo, a => a[0].DirectIo = true },
        { "keep_cache", FuseFileInfo.KeepCacheBit, f => f.KeepCache, a => a[0].KeepCache = true },
        { "flush", FuseFileInfo.FlushBit, f => f.Flush, null },
        { "nonseekable", FuseFileInfo.NonSeekableBit, f => f.NonSeekable, a => a[0].NonSeekable = true },
        { "flock_release", FuseFileInfo.FlockReleaseBit, f => f.FlockRelease, null },
        { "cache_readdir", FuseFileInfo.CacheReaddirBit, f => f.CacheReaddir, a => a[0].CacheReaddir = true },
        { "noflush", FuseFileInfo.NoFlushBit, f => f.NoFlush, a => a[0].NoFlush = true },
    };

    [Theory]
    [MemberData(nameof(Bits))]
    public unsafe void FileInfoBitfieldSitsWhereGccPutsIt(string cField, int managedBit, Func<FuseFileInfo, bool> read, Action<FuseFileInfo[]>? set)
    {
        int expected = NativeLayoutProbe.Layout[("fuse_file_info", "BIT:" + cField)];
        int wordOffset = (int)Marshal.OffsetOf<FuseFileInfo>("_bits");
        Assert.Equal(expected, wordOffset * 8 + managedBit);

        // Reading: a struct with exactly the C bit set must report the flag, and only that one.
        FuseFileInfo info = default;
        ((byte*)&info)[expected / 8] = (byte)(1 << (expected % 8));
        Assert.True(read(info));
        Assert.False(read(default));

        // Writing: the managed setter must set exactly that bit.
        if (set is not null)
        {
            var holder = new FuseFileInfo[1];
            set(holder);
            FuseFileInfo written = holder[0];
            byte* bytes = (byte*)&written;
            for (int bit = 0; bit < sizeof(FuseFileInfo) * 8; bit++)
            {
                bool isSet = (bytes[bit / 8] & (1 << (bit % 8))) != 0;
                Assert.Equal(bit == expected, isSet);
            }
        }
    }
}
