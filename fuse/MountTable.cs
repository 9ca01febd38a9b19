using System.Text;

namespace Layered.Fuse;

/// <summary>One line of /proc/self/mountinfo that matters here.</summary>
public sealed record MountEntry(string MountPoint, string FileSystemType, string Source, uint DeviceMajor, uint DeviceMinor);

/// <summary>Reads the kernel's mount table (/proc/self/mountinfo, see proc(5)).</summary>
public static class MountTable
{
    public const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>The mount whose mount point is exactly <paramref name="fullPath"/> (the last one if stacked), or null.</summary>
    public static MountEntry? Find(string fullPath)
    {
        return All().LastOrDefault(entry => entry.MountPoint == fullPath);
    }

    /// <summary>Every mount of this mount namespace, in the table's order.</summary>
    public static IEnumerable<MountEntry> All()
    {
        foreach (string line in File.ReadLines(MountInfoPath))
        {
            if (Parse(line) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Parses one mountinfo line; fields: id parent major:minor root mountpoint opts [optional...] - type source superopts.</summary>
    public static MountEntry? Parse(string line)
    {
        string[] fields = line.Split(' ');
        if (fields.Length < 10)
        {
            return null;
        }

        int separator = Array.IndexOf(fields, "-", 6);
        if (separator < 0 || separator + 2 >= fields.Length)
        {
            return null;
        }

        string[] device = fields[2].Split(':');
        if (device.Length != 2 || !uint.TryParse(device[0], out uint major) || !uint.TryParse(device[1], out uint minor))
        {
            return null;
        }

        return new MountEntry(Unescape(fields[4]), Unescape(fields[separator + 1]), Unescape(fields[separator + 2]), major, minor);
    }

    // The kernel writes space, tab, newline and backslash in paths as \ooo octal escapes.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        byte[] raw = Encoding.UTF8.GetBytes(field);
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(raw[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
