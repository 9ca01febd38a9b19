using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// FSP_FSCTL_OPEN_FILE_INFO, 88 bytes: what the FileInfo pointer of Create and Open really points to.
/// On entry NormalizedName points into the response buffer and NormalizedNameSize is its capacity in
/// bytes; a file system that returns the on-disk case writes the full path there (no NUL) and sets the
/// size to its byte length (winfsp.md §2.3).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FspOpenFileInfo
{
    public FspFileInfo FileInfo;
    public char* NormalizedName;
    public ushort NormalizedNameSize;
}
