namespace Layered.Concurrency.Tests.Harness;

/// <summary>One file's bytes as a sequential file system changes them: what the data races' legal outcomes are
/// computed with.</summary>
public static class SequentialFile
{
    /// <summary>Truncates or extends (with zeros) to <paramref name="size"/>.</summary>
    public static void Resize(List<byte> file, long size)
    {
        if (file.Count > size)
            file.RemoveRange((int)size, file.Count - (int)size);
        while (file.Count < size)
            file.Add(0);
    }

    /// <summary>Writes <paramref name="length"/> bytes of <paramref name="fill"/> at <paramref name="offset"/>,
    /// extending the file (zeros in any gap) when it ends beyond it.</summary>
    public static void Write(List<byte> file, long offset, int length, byte fill)
    {
        if (file.Count < offset + length)
            Resize(file, offset + length);
        for (int i = 0; i < length; i++)
            file[(int)offset + i] = fill;
    }
}
