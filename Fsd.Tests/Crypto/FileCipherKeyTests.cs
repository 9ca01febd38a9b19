using System.Collections.Concurrent;
using Layered.Crypto;
using Xunit;

namespace Layered.Crypto.Tests;

/// <summary>
/// File ciphers hold their key in a slot of the vault's key arena: opening and closing files does not grow it,
/// a released slot is zeroed, a reused slot carries no trace of the previous file's key, and misuse (use after
/// Dispose, Dispose twice, Dispose racing use) never touches another file's key.
/// </summary>
[Trait("Area", "Crypto")]
public sealed class FileCipherKeyTests
{
    [Fact]
    public void Opening_and_disposing_ten_thousand_ciphers_allocates_one_region()
    {
        using var temp = new TempVault();
        KeyArena arena = temp.Vault.FileKeys;
        var held = new List<FileCipher>();
        for (int i = 0; i < 10_000; i++)
        {
            var cipher = temp.Vault.OpenFileCipher(FileId.NewRandom());
            // Keep a few alive at a time, as an engine does with its open files.
            held.Add(cipher);
            if (held.Count == 8)
            {
                foreach (var c in held)
                    c.Dispose();
                held.Clear();
            }
        }
        foreach (var c in held)
            c.Dispose();
        Assert.Equal(1, arena.RegionCount);
        Assert.Equal(0, arena.RentedSlots);
    }

    [Fact]
    public unsafe void The_arena_grows_only_for_live_ciphers()
    {
        using var temp = new TempVault();
        KeyArena arena = temp.Vault.FileKeys;
        int live = arena.SlotsPerRegion + 1;
        var ciphers = Enumerable.Range(0, live).Select(_ => temp.Vault.OpenFileCipher(FileId.NewRandom())).ToList();
        Assert.Equal(2, arena.RegionCount);
        Assert.Equal(live, arena.RentedSlots);
        Assert.Equal(live, ciphers.Select(c => (nint)c.KeySlot).Distinct().Count());
        foreach (var c in ciphers)
            c.Dispose();
        for (int i = 0; i < 3 * live; i++)
            temp.Vault.OpenFileCipher(FileId.NewRandom()).Dispose();
        Assert.Equal(2, arena.RegionCount);
        Assert.Equal(0, arena.RentedSlots);
    }

    [Fact]
    public unsafe void A_disposed_ciphers_slot_is_zeroed()
    {
        using var temp = new TempVault();
        var cipher = temp.Vault.OpenFileCipher(FileId.NewRandom());
        byte* slot = cipher.KeySlot;
        Assert.True(new Span<byte>(slot, KeyArena.SlotSize).IndexOfAnyExcept((byte)0) >= 0, "the slot holds the file key");
        cipher.Dispose();
        // The vault is alive, so its arena still owns the region: reading it is safe and must show zeros.
        Assert.True(new Span<byte>(slot, KeyArena.SlotSize).IndexOfAnyExcept((byte)0) < 0, "the released slot is zero");
    }

    [Theory]
    [InlineData(CipherKind.Aegis256)]
    [InlineData(CipherKind.Aes256Gcm)]
    public unsafe void A_reused_slot_cannot_decrypt_the_previous_files_chunks(CipherKind cipherKind)
    {
        using var temp = new TempVault(cipherKind);
        FileId first = FileId.NewRandom();
        byte[] plain = StoredFile.RandomContent(4096, 30);
        var stored = new byte[4096 + temp.Vault.Layout.Overhead];
        var aad = new byte[FileCipher.AadSize];
        first.WriteTo(aad); // chunk index 0
        nint firstSlot;
        using (var a = temp.Vault.OpenFileCipher(first))
        {
            a.EncryptChunk(0, plain, stored);
            firstSlot = (nint)a.KeySlot;
        }

        using var b = temp.Vault.OpenFileCipher(FileId.NewRandom());
        Assert.Equal(firstSlot, (nint)b.KeySlot); // the slot was reused
        var output = new byte[4096];
        Assert.False(b.TryDecryptChunk(0, stored, output));
        // Even with the first file's AAD, the key now in that slot does not open its chunk.
        int n = temp.Vault.Layout.NonceSize;
        Assert.False(ContentAead.Decrypt(cipherKind, b.KeySlot, stored.AsSpan(0, n), aad, stored.AsSpan(n), output));

        using var again = temp.Vault.OpenFileCipher(first);
        Assert.True(again.TryDecryptChunk(0, stored, output));
        Assert.Equal(plain, output);
    }

    [Fact]
    public unsafe void Use_after_dispose_throws_and_a_second_dispose_releases_nothing()
    {
        using var temp = new TempVault();
        KeyArena arena = temp.Vault.FileKeys;
        var cipher = temp.Vault.OpenFileCipher(FileId.NewRandom());
        using var other = temp.Vault.OpenFileCipher(FileId.NewRandom());
        var plain = new byte[100];
        var stored = new byte[100 + cipher.Layout.Overhead];
        cipher.EncryptChunk(0, plain, stored);
        cipher.Dispose();
        cipher.Dispose();
        Assert.Equal(1, arena.RentedSlots);

        Assert.Throws<ObjectDisposedException>(() => cipher.EncryptChunk(0, plain, stored));
        Assert.Throws<ObjectDisposedException>(() => cipher.TryDecryptChunk(0, stored, plain));
        Assert.Throws<ObjectDisposedException>(() => cipher.EncryptChunks(0, plain, stored));
        Assert.Throws<ObjectDisposedException>(() => cipher.DecryptChunks(0, stored, plain, "f"));

        // Had the second Dispose returned the slot again, these two would share it.
        using var x = temp.Vault.OpenFileCipher(FileId.NewRandom());
        using var y = temp.Vault.OpenFileCipher(FileId.NewRandom());
        Assert.NotEqual((nint)x.KeySlot, (nint)y.KeySlot);
        Assert.Equal(3, arena.RentedSlots);
    }

    [Fact]
    public void A_cipher_outliving_its_vault_keeps_working_and_frees_the_arena_last()
    {
        var temp = new TempVault();
        KeyArena arena = temp.Vault.FileKeys;
        var cipher = temp.Vault.OpenFileCipher(FileId.NewRandom());
        temp.Dispose();
        Assert.Throws<ObjectDisposedException>(() => temp.Vault.OpenFileCipher(FileId.NewRandom()));
        byte[] plain = StoredFile.RandomContent(500, 31);
        var stored = new byte[500 + cipher.Layout.Overhead];
        var back = new byte[500];
        cipher.EncryptChunk(2, plain, stored);
        Assert.True(cipher.TryDecryptChunk(2, stored, back));
        Assert.Equal(plain, back);
        Assert.Equal(1, arena.RegionCount);
        cipher.Dispose();
        Assert.Equal(0, arena.RegionCount);
    }

    [Theory]
    [InlineData(CipherKind.Aegis256)]
    [InlineData(CipherKind.Aes256Gcm)]
    public void Many_files_encrypt_concurrently_with_their_own_keys(CipherKind cipherKind)
    {
        using var temp = new TempVault(cipherKind);
        const int files = 200;
        var ids = new FileId[files];
        var contents = new byte[files][];
        var stored = new byte[files][];
        Parallel.For(0, files, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            ids[i] = FileId.NewRandom();
            contents[i] = StoredFile.RandomContent(3 * 4096 + i, 100 + i);
            using var cipher = temp.Vault.OpenFileCipher(ids[i]);
            stored[i] = new byte[cipher.Layout.StoredLengthOfRun(contents[i].Length)];
            cipher.EncryptChunks(0, contents[i], stored[i]);
            var back = new byte[contents[i].Length];
            cipher.DecryptChunks(0, stored[i], back, $"file {i}");
            Assert.Equal(contents[i], back);
        });
        Assert.Equal(0, temp.Vault.FileKeys.RentedSlots);

        // Each file's chunks open with its own key only.
        for (int i = 0; i < files; i++)
        {
            using var own = temp.Vault.OpenFileCipher(ids[i]);
            var back = new byte[contents[i].Length];
            own.DecryptChunks(0, stored[i], back, $"file {i}");
            Assert.Equal(contents[i], back);
            using var neighbour = temp.Vault.OpenFileCipher(ids[(i + 1) % files]);
            Assert.False(neighbour.TryDecryptChunk(0, stored[i].AsSpan(0, neighbour.Layout.StoredChunkSize), back));
        }
    }

    /// <summary>
    /// A caller bug: Dispose while other threads still encrypt. Every encryption that returns normally must
    /// have used this file's real key in every chunk (its output opens with a fresh cipher of the same file),
    /// the others throw ObjectDisposedException, and a file opened meanwhile (which may take over the slot) is
    /// unharmed. Runs of 64 chunks make the window wide: each chunk reads the key from the slot again.
    /// </summary>
    [Fact]
    public async Task Dispose_racing_use_never_encrypts_with_a_released_or_reused_slot()
    {
        using var temp = new TempVault();
        FileId raced = FileId.NewRandom();
        byte[] plain = StoredFile.RandomContent(64 * 4096, 40);
        int storedLength = (int)temp.Vault.Layout.StoredLengthOfRun(plain.Length);
        int checkedRuns = 0;
        for (int round = 0; round < 10; round++)
        {
            var cipher = temp.Vault.OpenFileCipher(raced);
            var produced = new ConcurrentBag<byte[]>();
            using var start = new Barrier(3);
            var workers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                while (true)
                {
                    var stored = new byte[storedLength];
                    try
                    {
                        cipher.EncryptChunks(0, plain, stored);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                    produced.Add(stored);
                }
            })).ToArray();
            start.SignalAndWait();
            Thread.Sleep(2);
            cipher.Dispose();

            // Opened while the workers may still be inside a call: it must round-trip with its own key.
            using (var other = temp.Vault.OpenFileCipher(FileId.NewRandom()))
            {
                var otherStored = new byte[storedLength];
                var back = new byte[plain.Length];
                other.EncryptChunks(0, plain, otherStored);
                other.DecryptChunks(0, otherStored, back, "bystander");
                Assert.Equal(plain, back);
            }
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

            using var check = temp.Vault.OpenFileCipher(raced);
            var output = new byte[plain.Length];
            foreach (byte[] run in produced)
            {
                check.DecryptChunks(0, run, output, "raced file");
                Assert.Equal(plain, output);
                checkedRuns++;
            }
        }
        Assert.True(checkedRuns > 0, "no run finished before Dispose in any round: nothing was checked");
        Assert.Equal(0, temp.Vault.FileKeys.RentedSlots);
    }
}
