namespace Layered.Fuse;

/// <summary>Why a mount could not be made; lets a CLI choose its exit code and wording.</summary>
public enum FuseMountError
{
    DeviceMissing,
    LibraryMissing,
    UnsupportedPlatform,
    MountPointMissing,
    MountPointNotDirectory,
    MountPointNotEmpty,
    MountPointInUse,
    OptionsRejected,
    MountFailed,
    InitFailed,
}

/// <summary>A mount failed; <see cref="Exception.Message"/> is one line naming the cause and the path.</summary>
public sealed class FuseMountException : Exception
{
    public FuseMountException(FuseMountError error, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
    }

    public FuseMountError Error { get; }
}
