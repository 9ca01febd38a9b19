using Layered.Crypto;
using Microsoft.Extensions.Logging;

namespace Layered.Cli;

/// <summary>
/// Which Argon2id cost new password wraps get. Always <see cref="KdfParameters.Interactive"/>, except when the
/// environment variable LAYERED_TEST_FAST_KDF=1 selects <see cref="KdfParameters.ForTestsOnly"/> so CLI tests
/// stay fast. That is logged as a warning, because it weakens the password protection.
/// </summary>
public static class KdfChoice
{
    public const string TestSwitchVariable = "LAYERED_TEST_FAST_KDF";

    public static KdfParameters ForNewWrap(CliConsole console, ILogger logger)
    {
        if (console.Environment(TestSwitchVariable) == "1")
        {
            logger.LogWarning("{Variable}=1: using the minimum Argon2id cost (tests only; weak against password guessing)", TestSwitchVariable);
            return KdfParameters.ForTestsOnly;
        }
        return KdfParameters.Interactive;
    }
}
