namespace Layered.Cli;

/// <summary>The user asked for something malformed (bad option value, mismatched passwords): exit code 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}
