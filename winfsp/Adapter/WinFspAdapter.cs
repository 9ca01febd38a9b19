using Layered.Fsd;
using Layered.WinFsp.Managed;
using Layered.WinFsp.Native;
using Microsoft.Extensions.Logging;

namespace Layered.WinFsp.Adapter;

/// <summary>
/// The WinFsp host's translation of every callback into engine calls (DESIGN §3: a host translates and
/// nothing more). Pure managed code: the native thunks call it in a mount, the tests call it directly.
/// Names arrive as WinFsp full paths (\Dir\File.txt) and are resolved case-insensitively to their stored case
/// (<see cref="CaseInsensitiveNameTransform"/>) before the engine sees them, so the engine's namespace locks
/// are keyed by one spelling of each name. Access checks are WinFsp's (GetSecurityByName and GrantedAccess):
/// the engine handle of an open is a full-access handle, because the cache manager's paging writes reach
/// whichever open first cached the file, read-only or not.
/// </summary>
public sealed partial class WinFspAdapter : WinFspFileSystemBase
{
    /// <summary>How many entries ReadDirectory asks the engine for at a time.</summary>
    private const int ListingBatch = 64;

    private readonly Volume _volume;
    private readonly INameTransform _names;
    private readonly Lock _labelGate = new();
    private string _volumeLabel;

    /// <param name="volume">The mounted engine volume (mounted with NtMetadata = true and <paramref name="names"/>).</param>
    /// <param name="names">The volume's name transform: resolves a name to its stored case.</param>
    /// <param name="logger">Where callback failures are logged.</param>
    /// <param name="volumeLabel">The label Explorer shows, at most 32 characters.</param>
    public WinFspAdapter(Volume volume, INameTransform names, ILogger logger, string volumeLabel = "Layered")
        : base(logger)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentException.ThrowIfNullOrEmpty(volumeLabel);
        if (volumeLabel.Length > FspVolumeInfo.MaxLabelChars)
            throw new ArgumentException($"Volume label '{volumeLabel}' is longer than {FspVolumeInfo.MaxLabelChars} characters.", nameof(volumeLabel));
        _volume = volume;
        _names = names;
        _volumeLabel = volumeLabel;
    }

    /// <summary>The engine volume served.</summary>
    public Volume Volume => _volume;

    /// <summary>
    /// Volume options for a WinFsp mount of <paramref name="store"/>: NT metadata kept, names case-insensitive.
    /// </summary>
    public static VolumeOptions EngineOptions(Layered.Backing.IBackingStore store, Layered.Crypto.Vault vault, bool readOnly,
        ILoggerFactory loggerFactory, out INameTransform names)
    {
        names = new CaseInsensitiveNameTransform(store, storeIsCaseSensitive: !OperatingSystem.IsWindows());
        return new VolumeOptions { Store = store, Vault = vault, ReadOnly = readOnly, NtMetadata = true, Names = names, LoggerFactory = loggerFactory };
    }

    public override int GetVolumeInfo(out FspVolumeInfo volumeInfo)
    {
        volumeInfo = default;
        try
        {
            var statistics = _volume.GetStatistics();
            volumeInfo.TotalSize = (ulong)Math.Max(statistics.TotalBytes, 0);
            volumeInfo.FreeSize = (ulong)Math.Max(statistics.AvailableBytes, 0);
            lock (_labelGate)
                volumeInfo.SetLabel(_volumeLabel);
            return NtStatus.Success;
        }
        catch (IOException e)
        {
            Logger.LogError(e, "Reading the volume's size failed");
            return NtStatus.UnexpectedIoError;
        }
    }

    /// <summary>The label lives as long as the mount (the vault has no place for it yet; docs/windows.md).</summary>
    public override int SetVolumeLabel(string volumeLabel, out FspVolumeInfo volumeInfo)
    {
        volumeInfo = default;
        if (volumeLabel.Length > FspVolumeInfo.MaxLabelChars)
            return NtStatus.InvalidParameter;
        lock (_labelGate)
            _volumeLabel = volumeLabel;
        return GetVolumeInfo(out volumeInfo);
    }

    /// <summary>
    /// A WinFsp full path in the engine's terms with its stored case: "\Dir\FILE.TXT" becomes "Dir/File.txt"
    /// when that file exists. Throws FsException for a name the engine refuses.
    /// </summary>
    internal string Resolve(string fileName) => _names.ToStorePath(FsPath.Normalize(fileName));

    /// <summary>An engine path as WinFsp's normalized name: the full path with a leading backslash.</summary>
    internal static string ToWinFspName(string enginePath) => "\\" + enginePath.Replace('/', '\\');

    private static int Status(FsStatus status) => NtStatusMap.ToNtStatus(status);

    private static OpenFile Context(object fileContext) =>
        fileContext as OpenFile ?? throw new ArgumentException($"Not a context this adapter made: {fileContext.GetType().Name}", nameof(fileContext));

    /// <summary>The post-operation FileInfo of an open file.</summary>
    private int InfoOf(OpenFile file, out FspFileInfo fileInfo)
    {
        var status = _volume.GetInfo(file.Handle, out var info);
        fileInfo = status == FsStatus.Success ? ToFileInfo(file, info) : default;
        return Status(status);
    }

    /// <summary>Resolves a WinFsp name; false with the status for a name the engine refuses.</summary>
    private bool TryResolve(string fileName, out string path, out int status)
    {
        try
        {
            path = Resolve(fileName);
            status = NtStatus.Success;
            return true;
        }
        catch (FsException e)
        {
            path = "";
            status = Status(e.Status);
            return false;
        }
    }
}
