using System.Diagnostics;

namespace Layered.Fuse.Tests;

/// <summary>
/// Compiles and runs a small C program against the installed fuse3 headers that prints sizeof,
/// offsetof and bitfield positions of every struct the host binds. This is the ground truth the
/// managed layouts are compared with.
/// </summary>
internal static class NativeLayoutProbe
{
    private const string Source = """
        #define FUSE_USE_VERSION 314
        #define _FILE_OFFSET_BITS 64
        #include <fuse.h>
        #include <fuse_opt.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/stat.h>
        #include <sys/statvfs.h>
        #include <time.h>

        #define SIZE(s) printf("%s SIZE %zu\n", #s, sizeof(struct s));
        #define OFF(s, f) printf("%s %s %zu\n", #s, #f, offsetof(struct s, f));

        static int first_bit(const void *p, size_t n)
        {
            const unsigned char *b = p;
            for (size_t i = 0; i < n; i++)
                for (int j = 0; j < 8; j++)
                    if (b[i] & (1u << j))
                        return (int)(i * 8 + j);
            return -1;
        }

        #define BIT(f) { struct fuse_file_info fi; memset(&fi, 0, sizeof fi); fi.f = 1; \
            printf("fuse_file_info BIT:%s %d\n", #f, first_bit(&fi, sizeof fi)); }

        int main(void)
        {
            SIZE(stat) OFF(stat, st_dev) OFF(stat, st_ino) OFF(stat, st_nlink) OFF(stat, st_mode)
            OFF(stat, st_uid) OFF(stat, st_gid) OFF(stat, st_rdev) OFF(stat, st_size) OFF(stat, st_blksize)
            OFF(stat, st_blocks) OFF(stat, st_atim) OFF(stat, st_mtim) OFF(stat, st_ctim)

            SIZE(timespec) OFF(timespec, tv_sec) OFF(timespec, tv_nsec)

            SIZE(statvfs) OFF(statvfs, f_bsize) OFF(statvfs, f_frsize) OFF(statvfs, f_blocks)
            OFF(statvfs, f_bfree) OFF(statvfs, f_bavail) OFF(statvfs, f_files) OFF(statvfs, f_ffree)
            OFF(statvfs, f_favail) OFF(statvfs, f_fsid) OFF(statvfs, f_flag) OFF(statvfs, f_namemax)

            SIZE(fuse_file_info) OFF(fuse_file_info, flags) OFF(fuse_file_info, fh)
            OFF(fuse_file_info, lock_owner) OFF(fuse_file_info, poll_events)
            BIT(writepage) BIT(direct_io) BIT(keep_cache) BIT(flush) BIT(nonseekable)
            BIT(flock_release) BIT(cache_readdir) BIT(noflush)

            SIZE(fuse_conn_info) OFF(fuse_conn_info, proto_major) OFF(fuse_conn_info, proto_minor)
            OFF(fuse_conn_info, max_write) OFF(fuse_conn_info, max_read) OFF(fuse_conn_info, max_readahead)
            OFF(fuse_conn_info, capable) OFF(fuse_conn_info, want) OFF(fuse_conn_info, max_background)
            OFF(fuse_conn_info, congestion_threshold) OFF(fuse_conn_info, time_gran) OFF(fuse_conn_info, reserved)

            SIZE(fuse_config) OFF(fuse_config, set_gid) OFF(fuse_config, gid) OFF(fuse_config, set_uid)
            OFF(fuse_config, uid) OFF(fuse_config, set_mode) OFF(fuse_config, umask)
            OFF(fuse_config, entry_timeout) OFF(fuse_config, negative_timeout) OFF(fuse_config, attr_timeout)
            OFF(fuse_config, intr) OFF(fuse_config, intr_signal) OFF(fuse_config, remember)
            OFF(fuse_config, hard_remove) OFF(fuse_config, use_ino) OFF(fuse_config, readdir_ino)
            OFF(fuse_config, direct_io) OFF(fuse_config, kernel_cache) OFF(fuse_config, auto_cache)
            OFF(fuse_config, no_rofd_flush) OFF(fuse_config, ac_attr_timeout_set) OFF(fuse_config, ac_attr_timeout)
            OFF(fuse_config, nullpath_ok) OFF(fuse_config, show_help) OFF(fuse_config, modules) OFF(fuse_config, debug)

            SIZE(fuse_context) OFF(fuse_context, fuse) OFF(fuse_context, uid) OFF(fuse_context, gid)
            OFF(fuse_context, pid) OFF(fuse_context, private_data) OFF(fuse_context, umask)

            SIZE(fuse_args) OFF(fuse_args, argc) OFF(fuse_args, argv) OFF(fuse_args, allocated)

            SIZE(fuse_operations) OFF(fuse_operations, getattr) OFF(fuse_operations, readlink)
            OFF(fuse_operations, mknod) OFF(fuse_operations, mkdir) OFF(fuse_operations, unlink)
            OFF(fuse_operations, rmdir) OFF(fuse_operations, symlink) OFF(fuse_operations, rename)
            OFF(fuse_operations, link) OFF(fuse_operations, chmod) OFF(fuse_operations, chown)
            OFF(fuse_operations, truncate) OFF(fuse_operations, open) OFF(fuse_operations, read)
            OFF(fuse_operations, write) OFF(fuse_operations, statfs) OFF(fuse_operations, flush)
            OFF(fuse_operations, release) OFF(fuse_operations, fsync) OFF(fuse_operations, setxattr)
            OFF(fuse_operations, getxattr) OFF(fuse_operations, listxattr) OFF(fuse_operations, removexattr)
            OFF(fuse_operations, opendir) OFF(fuse_operations, readdir) OFF(fuse_operations, releasedir)
            OFF(fuse_operations, fsyncdir) OFF(fuse_operations, init) OFF(fuse_operations, destroy)
            OFF(fuse_operations, access) OFF(fuse_operations, create) OFF(fuse_operations, lock)
            OFF(fuse_operations, utimens) OFF(fuse_operations, bmap) OFF(fuse_operations, ioctl)
            OFF(fuse_operations, poll) OFF(fuse_operations, write_buf) OFF(fuse_operations, read_buf)
            OFF(fuse_operations, flock) OFF(fuse_operations, fallocate) OFF(fuse_operations, copy_file_range)
            OFF(fuse_operations, lseek)
            return 0;
        }
        """;

    private static readonly Lazy<IReadOnlyDictionary<(string Struct, string Field), int>> Facts = new(Run);

    /// <summary>(struct, field) -> byte offset; (struct, "SIZE") -> sizeof; (fuse_file_info, "BIT:name") -> bit index.</summary>
    public static IReadOnlyDictionary<(string Struct, string Field), int> Layout => Facts.Value;

    private static Dictionary<(string, string), int> Run()
    {
        string directory = Directory.CreateTempSubdirectory("layered-fuse-probe-").FullName;
        try
        {
            string source = Path.Combine(directory, "probe.c");
            string binary = Path.Combine(directory, "probe");
            File.WriteAllText(source, Source);
            Execute("gcc", ["-Wall", "-Werror", "-I/usr/include/fuse3", "-o", binary, source]);
            string output = Execute(binary, []);

            var facts = new Dictionary<(string, string), int>();
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = line.Split(' ');
                facts[(parts[0], parts[1])] = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            }

            return facts;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Execute(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {program} (gcc and libfuse3-dev are needed for the layout test).");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed with exit code {process.ExitCode}: {error}");
        }

        return output;
    }
}
