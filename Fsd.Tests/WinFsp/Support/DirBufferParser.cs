using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests.Support;

/// <summary>Reads a ReadDirectory buffer back the way the FSD does: entries until a zero Size.</summary>
public static unsafe class DirBufferParser
{
    public sealed record Entry(int Offset, ushort Size, string Name, FspFileInfo Info);

    /// <returns>The entries, and whether the end-of-listing marker was present.</returns>
    public static (List<Entry> Entries, bool Ended) Parse(byte* buffer, uint bytesTransferred)
    {
        var entries = new List<Entry>();
        int offset = 0;
        while (offset < bytesTransferred)
        {
            var dirInfo = (FspDirInfo*)(buffer + offset);
            if (dirInfo->Size == 0)
            {
                if (offset + 2 != bytesTransferred)
                {
                    throw new InvalidDataException($"End marker at {offset} is not the last thing in a {bytesTransferred}-byte buffer.");
                }

                return (entries, true);
            }

            int nameChars = (dirInfo->Size - FspDirInfo.HeaderSize) / 2;
            entries.Add(new Entry(offset, dirInfo->Size, new string(FspDirInfo.FileNameOf(dirInfo), 0, nameChars), dirInfo->FileInfo));
            offset += (dirInfo->Size + 7) & ~7;
        }

        if (offset != bytesTransferred)
        {
            throw new InvalidDataException($"Entries end at {offset}, past the {bytesTransferred} bytes transferred.");
        }

        return (entries, false);
    }
}
