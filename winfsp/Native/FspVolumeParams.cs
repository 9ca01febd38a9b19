using System.Runtime.InteropServices;

namespace Layered.WinFsp.Native;

/// <summary>
/// FSP_FSCTL_VOLUME_PARAMS, the 504-byte V1 layout (winfsp.md §2.1). <see cref="Version"/> must be
/// <see cref="V1Size"/> for the V1 fields (the separate timeouts) to count. The C bitfields are exposed
/// as properties over <see cref="Flags"/> (offset 36) and <see cref="FlagsV1"/> (offset 456); unlike the
/// official .NET binding, the setters clear as well as set.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FspVolumeParams
{
    public const ushort V1Size = 504;
    public const int PrefixChars = 192;
    public const int FileSystemNameChars = 16;

    public ushort Version;
    public ushort SectorSize;
    public ushort SectorsPerAllocationUnit;
    public ushort MaxComponentLength;
    public ulong VolumeCreationTime;
    public uint VolumeSerialNumber;
    public uint TransactTimeout;
    public uint IrpTimeout;
    public uint IrpCapacity;
    public uint FileInfoTimeout;
    public uint Flags;
    public fixed char Prefix[PrefixChars];
    public fixed char FileSystemName[FileSystemNameChars];
    public uint FlagsV1;
    public uint VolumeInfoTimeout;
    public uint DirInfoTimeout;
    public uint SecurityTimeout;
    public uint StreamInfoTimeout;
    public uint EaTimeout;
    public uint FsextControlCode;
    public fixed uint Reserved32[1];
    public fixed ulong Reserved64[2];

    // Flag word at offset 36, bit 0 least significant.
    public bool CaseSensitiveSearch { readonly get => Bit(Flags, 0); set => Flags = With(Flags, 0, value); }
    public bool CasePreservedNames { readonly get => Bit(Flags, 1); set => Flags = With(Flags, 1, value); }
    public bool UnicodeOnDisk { readonly get => Bit(Flags, 2); set => Flags = With(Flags, 2, value); }
    public bool PersistentAcls { readonly get => Bit(Flags, 3); set => Flags = With(Flags, 3, value); }
    public bool ReparsePoints { readonly get => Bit(Flags, 4); set => Flags = With(Flags, 4, value); }
    public bool ReparsePointsAccessCheck { readonly get => Bit(Flags, 5); set => Flags = With(Flags, 5, value); }
    public bool NamedStreams { readonly get => Bit(Flags, 6); set => Flags = With(Flags, 6, value); }
    public bool HardLinks { readonly get => Bit(Flags, 7); set => Flags = With(Flags, 7, value); }
    public bool ExtendedAttributes { readonly get => Bit(Flags, 8); set => Flags = With(Flags, 8, value); }
    public bool ReadOnlyVolume { readonly get => Bit(Flags, 9); set => Flags = With(Flags, 9, value); }
    public bool PostCleanupWhenModifiedOnly { readonly get => Bit(Flags, 10); set => Flags = With(Flags, 10, value); }
    public bool PassQueryDirectoryPattern { readonly get => Bit(Flags, 11); set => Flags = With(Flags, 11, value); }
    public bool AlwaysUseDoubleBuffering { readonly get => Bit(Flags, 12); set => Flags = With(Flags, 12, value); }
    public bool PassQueryDirectoryFileName { readonly get => Bit(Flags, 13); set => Flags = With(Flags, 13, value); }
    public bool FlushAndPurgeOnCleanup { readonly get => Bit(Flags, 14); set => Flags = With(Flags, 14, value); }
    public bool DeviceControl { readonly get => Bit(Flags, 15); set => Flags = With(Flags, 15, value); }
    public bool UmFileContextIsUserContext2 { readonly get => Bit(Flags, 16); set => Flags = With(Flags, 16, value); }
    public bool UmFileContextIsFullContext { readonly get => Bit(Flags, 17); set => Flags = With(Flags, 17, value); }
    public bool UmNoReparsePointsDirCheck { readonly get => Bit(Flags, 18); set => Flags = With(Flags, 18, value); }
    public bool AllowOpenInKernelMode { readonly get => Bit(Flags, 24); set => Flags = With(Flags, 24, value); }
    public bool CasePreservedExtendedAttributes { readonly get => Bit(Flags, 25); set => Flags = With(Flags, 25, value); }
    public bool WslFeatures { readonly get => Bit(Flags, 26); set => Flags = With(Flags, 26, value); }
    public bool DirectoryMarkerAsNextOffset { readonly get => Bit(Flags, 27); set => Flags = With(Flags, 27, value); }
    public bool RejectIrpPriorToTransact0 { readonly get => Bit(Flags, 28); set => Flags = With(Flags, 28, value); }
    public bool SupportsPosixUnlinkRename { readonly get => Bit(Flags, 29); set => Flags = With(Flags, 29, value); }
    public bool PostDispositionWhenNecessaryOnly { readonly get => Bit(Flags, 30); set => Flags = With(Flags, 30, value); }

    // V1 flag word at offset 456: each bit makes the matching V1 timeout count.
    public bool VolumeInfoTimeoutValid { readonly get => Bit(FlagsV1, 0); set => FlagsV1 = With(FlagsV1, 0, value); }
    public bool DirInfoTimeoutValid { readonly get => Bit(FlagsV1, 1); set => FlagsV1 = With(FlagsV1, 1, value); }
    public bool SecurityTimeoutValid { readonly get => Bit(FlagsV1, 2); set => FlagsV1 = With(FlagsV1, 2, value); }
    public bool StreamInfoTimeoutValid { readonly get => Bit(FlagsV1, 3); set => FlagsV1 = With(FlagsV1, 3, value); }
    public bool EaTimeoutValid { readonly get => Bit(FlagsV1, 4); set => FlagsV1 = With(FlagsV1, 4, value); }

    /// <summary>The UNC prefix (one leading backslash, e.g. \layered\vault) of a network volume.</summary>
    public string PrefixText
    {
        readonly get { fixed (char* p = Prefix) { return ReadNulTerminated(p, PrefixChars); } }
        set { fixed (char* p = Prefix) { WriteNulTerminated(p, PrefixChars, value, nameof(PrefixText)); } }
    }

    /// <summary>The file system name Windows reports (e.g. in GetVolumeInformation).</summary>
    public string FileSystemNameText
    {
        readonly get { fixed (char* p = FileSystemName) { return ReadNulTerminated(p, FileSystemNameChars); } }
        set { fixed (char* p = FileSystemName) { WriteNulTerminated(p, FileSystemNameChars, value, nameof(FileSystemNameText)); } }
    }

    private static bool Bit(uint word, int bit) => (word & (1u << bit)) != 0;

    private static uint With(uint word, int bit, bool value) => value ? word | (1u << bit) : word & ~(1u << bit);

    private static string ReadNulTerminated(char* buffer, int capacity)
    {
        var span = new ReadOnlySpan<char>(buffer, capacity);
        int end = span.IndexOf('\0');
        return new string(end < 0 ? span : span[..end]);
    }

    private static void WriteNulTerminated(char* buffer, int capacity, string value, string field)
    {
        // One character is kept for the terminating NUL the DLL expects.
        if (value.Length > capacity - 1)
        {
            throw new ArgumentException($"{field} holds at most {capacity - 1} characters; got {value.Length} ('{value}').", field);
        }

        var span = new Span<char>(buffer, capacity);
        span.Clear();
        value.AsSpan().CopyTo(span);
    }
}
