using Layered.Crypto;
using Xunit;

namespace Layered.Cli.Tests;

[Trait("Area", "Cli")]
public sealed class ErrorReporterTests
{
    public static TheoryData<Exception, int> Cases() => new()
    {
        { new UsageException("bad"), ExitCodes.Usage },
        { new WrongPasswordException("/v"), ExitCodes.WrongPassword },
        { new VaultConfigException("/v/.layered/vault.config", VaultConfigProblem.Corrupt, "x"), ExitCodes.BadVaultConfig },
        { new VaultAlreadyExistsException("/v/.layered/vault.config"), ExitCodes.VaultExists },
        { new ChunkAuthenticationException("/v/f", 3, "x"), ExitCodes.IntegrityError },
        { new HeaderAuthenticationException("/v/f", "x"), ExitCodes.IntegrityError },
        { new PlatformNotSupportedException("no AES-NI"), ExitCodes.Unsupported },
        { new IOException("disk full"), ExitCodes.IoError },
        { new OperationCanceledException(), ExitCodes.Cancelled },
        { new InvalidOperationException("bug"), ExitCodes.InternalError },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_error_kind_has_its_exit_code_and_one_line(Exception error, int expected)
    {
        var stderr = new StringWriter();
        Assert.Equal(expected, ErrorReporter.Report(error, stderr));
        string text = stderr.ToString();
        Assert.StartsWith("layered: error: ", text);
        Assert.Single(text.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Chunk_errors_name_the_file_and_chunk()
    {
        var stderr = new StringWriter();
        ErrorReporter.Report(new ChunkAuthenticationException("/v/data.bin", 12, "tag mismatch"), stderr);
        Assert.Contains("/v/data.bin", stderr.ToString());
        Assert.Contains("chunk 12", stderr.ToString());
    }
}
