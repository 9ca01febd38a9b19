using Layered.Crypto;

namespace Layered.Crypto.Tests;

/// <summary>A real vault in a fresh temporary folder, with the fast test KDF; deleted on Dispose.</summary>
internal sealed class TempVault : IDisposable
{
    public static readonly byte[] Password = "correct horse battery staple"u8.ToArray();

    public TempVault(CipherKind cipher = CipherKind.Aegis256, int chunkSize = 4096)
    {
        Root = Path.Combine(Path.GetTempPath(), "layered-crypto-tests", Guid.NewGuid().ToString("n"));
        Vault = Vault.Create(Root, Password, new VaultCreateOptions { Cipher = cipher, ChunkSize = chunkSize, Kdf = KdfParameters.ForTestsOnly });
    }

    public string Root { get; }

    public Vault Vault { get; }

    public string ConfigPath => VaultLayout.ConfigPath(Root);

    public string FilePath(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        Vault.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
