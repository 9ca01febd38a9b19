using Layered.WinFsp.Native;

namespace Layered.WinFsp.Interop;

/// <summary>WinFsp is not installed (or not usable) on this machine.</summary>
public sealed class WinFspNotInstalledException : Exception
{
    public WinFspNotInstalledException(string message)
        : base(message)
    {
    }

    public WinFspNotInstalledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A WinFsp API call failed with an NTSTATUS.</summary>
public sealed class WinFspException : Exception
{
    public WinFspException(string operation, int status)
        : base($"{operation} failed: {NtStatus.Describe(status)}.")
    {
        Operation = operation;
        Status = status;
    }

    public WinFspException(string message)
        : base(message)
    {
        Operation = string.Empty;
    }

    /// <summary>The WinFsp function that failed.</summary>
    public string Operation { get; }

    /// <summary>The NTSTATUS it returned.</summary>
    public int Status { get; }
}
