using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>FSP_FSCTL_VOLUME_INFO, 88 bytes. The label length is in bytes, at most 32 WCHARs.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FspVolumeInfo
{
    public const int MaxLabelChars = 32;

    public ulong TotalSize;
    public ulong FreeSize;
    public ushort VolumeLabelLength;
    public fixed char VolumeLabel[MaxLabelChars];

    /// <summary>The label as a string (VolumeLabelLength is in bytes).</summary>
    public readonly string Label
    {
        get
        {
            int chars = Math.Min(VolumeLabelLength / sizeof(char), MaxLabelChars);
            fixed (char* label = VolumeLabel)
            {
                return new string(label, 0, chars);
            }
        }
    }

    /// <summary>Sets the label; longer labels than 32 characters are a caller error.</summary>
    public void SetLabel(ReadOnlySpan<char> label)
    {
        if (label.Length > MaxLabelChars)
        {
            throw new ArgumentException($"A volume label has at most {MaxLabelChars} characters; got {label.Length}.", nameof(label));
        }

        fixed (char* destination = VolumeLabel)
        {
            var span = new Span<char>(destination, MaxLabelChars);
            span.Clear();
            label.CopyTo(span);
        }

        VolumeLabelLength = (ushort)(label.Length * sizeof(char));
    }
}
