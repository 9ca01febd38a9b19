using Layered.Crypto;

namespace Layered.Concurrency.Tests.Harness;

/// <summary>One unlocked vault (keys and layout) for the whole test run: thousands of systematic iterations each
/// mount a fresh store with it, and deriving a key per iteration would dominate their time.</summary>
public static class SharedVault
{
    /// <summary>The smallest chunk size a vault allows, so that a few KiB already cross chunk and VDL boundaries.</summary>
    public const int ChunkSize = 4096;

    private static readonly Lazy<Vault> s_vault = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "layered-concurrency-vault-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var vault = Vault.Create(root, "password"u8, new VaultCreateOptions { Kdf = KdfParameters.ForTestsOnly, ChunkSize = ChunkSize });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            vault.Dispose();
            try { Directory.Delete(root, true); } catch (IOException) { }
        };
        return vault;
    });

    public static Vault Vault => s_vault.Value;
}
