namespace Layered.Adoption.Tests;

/// <summary>
/// `layered init --adopt` on a real tree, through the real binary: every file encrypted in place, the mount shows
/// exactly the tree kept aside (bytes, permissions, times, symlinks, hard links, xattrs), and `layered decrypt`
/// restores the original tree.
/// </summary>
[Trait("Area", "Cli")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AdoptionCliTests : IDisposable
{
    private readonly AdoptionFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Adopted_tree_mounts_identical_and_decrypt_restores_it()
    {
        string expected = AdoptionFixture.Describe(_f.Original);
        Assert.Contains("many/large-again|f|644|3000000|", expected); // the description sees sizes, and hard links:
        Assert.Contains("|deep/large.bin|", expected);
        Assert.Contains("user.note=\"kept across adoption\"", expected);
        var adopt = _f.Layered("init", _f.Tree, "--adopt", "--password-file", _f.PasswordFile);
        adopt.AssertOk("init --adopt");
        Assert.Contains("encrypting [", adopt.Error); // the progress bar, on stderr
        Assert.Contains("files,", adopt.Error);
        Assert.Contains("/s,", adopt.Error);
        Assert.Contains("left", adopt.Error);

        Assert.Empty(_f.PlaintextFilesLeft());
        Assert.Empty(_f.Temporaries());
        Assert.False(File.Exists(Path.Combine(_f.Tree, ".layered", "adopting")), "the mixed-content marker stays after a complete adoption");
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_f.Original, "deep/large.bin"))[..100], File.ReadAllBytes(Path.Combine(_f.Tree, "deep/large.bin"))[..100]);
        var info = _f.Layered("info", _f.Tree);
        info.AssertOk("info");
        Assert.Contains("unconverted 0 files", info.Output);

        using (_f.MountTree())
            Assert.Equal(expected, AdoptionFixture.Describe(_f.Mount, directoryTimes: true));

        _f.Layered("fsck", _f.Tree, "--password-file", _f.PasswordFile).AssertOk("fsck");
        var decrypt = _f.Layered("decrypt", _f.Tree, "--password-file", _f.PasswordFile);
        decrypt.AssertOk("decrypt");
        Assert.False(Directory.Exists(Path.Combine(_f.Tree, ".layered")));
        Assert.Equal(expected, AdoptionFixture.Describe(_f.Tree));
    }

    [Fact]
    public void Init_on_a_non_empty_folder_without_adopt_changes_nothing_and_names_the_option()
    {
        string before = AdoptionFixture.Describe(_f.Tree);
        var init = _f.Layered("init", _f.Tree, "--password-file", _f.PasswordFile);
        Assert.Equal(2, init.Code);
        Assert.Contains("--adopt", init.Error);
        Assert.False(Directory.Exists(Path.Combine(_f.Tree, ".layered")));
        Assert.Equal(before, AdoptionFixture.Describe(_f.Tree));
    }

    [Fact]
    public void An_init_killed_between_config_and_journal_is_resumed_by_init_adopt()
    {
        // The state such a kill leaves: the config written, the journal folder missing. The files were there already.
        var vault = Path.Combine(_f.Root, "interrupted");
        _f.Layered("init", vault, "--password-file", _f.PasswordFile).AssertOk("init of an empty folder");
        Directory.Delete(Path.Combine(vault, ".layered", "journal"), recursive: true);
        AdoptionFixture.Sh($"cp -a '{_f.Tree}/.' '{vault}/'").AssertOk("the files to adopt");
        var resumed = _f.Layered("init", vault, "--adopt", "--password-file", _f.PasswordFile);
        resumed.AssertOk("init --adopt on the interrupted vault");
        Assert.Contains("Continuing the adoption", resumed.Output);
        Assert.True(Directory.Exists(Path.Combine(vault, ".layered", "journal")));
        _f.Layered("fsck", vault, "--password-file", _f.PasswordFile).AssertOk("fsck");
        using (_f.MountTree(vault))
            Assert.Equal(AdoptionFixture.Describe(_f.Original, directoryTimes: false), AdoptionFixture.Describe(_f.Mount, directoryTimes: false));
    }

    [Fact]
    public void Files_that_cannot_be_held_are_named_left_untouched_and_the_rerun_still_fails()
    {
        AdoptionFixture.Sh($"mkfifo '{_f.Tree}/a pipe'").AssertOk("mkfifo");
        var reserved = Path.Combine(_f.Tree, ".LAYERED"); // the vault's own folder name, in other letters: reserved
        File.WriteAllText(reserved, "a file the vault cannot hold\n");
        var first = _f.Layered("init", _f.Tree, "--adopt", "--password-file", _f.PasswordFile);
        Assert.True(first.Code == Layered.Cli.ExitCodes.NotAllConverted, first.ToString());
        Assert.Equal(11, Layered.Cli.ExitCodes.NotAllConverted); // documented in the README: scripts depend on it
        Assert.Contains("not converted: /a pipe", first.Error);
        Assert.Contains("not converted: /.LAYERED", first.Error);
        Assert.Contains("2 files were left as they were", first.Error);
        Assert.Equal([reserved], _f.PlaintextFilesLeft()); // everything else was converted; that file is untouched:
        Assert.Equal("a file the vault cannot hold\n", File.ReadAllText(reserved));
        Assert.True(File.Exists(Path.Combine(_f.Tree, ".layered", "adopting")), "the vault must stay in mixed mode while a file is left");
        Assert.Equal("fifo", AdoptionFixture.Sh($"stat -c %F '{_f.Tree}/a pipe'").Output.Trim());

        var info = _f.Layered("info", _f.Tree);
        Assert.Contains("cannot hold /a pipe", info.Output);
        var again = _f.Layered("init", _f.Tree, "--adopt", "--password-file", _f.PasswordFile);
        Assert.Equal(Layered.Cli.ExitCodes.NotAllConverted, again.Code);
        Assert.Contains("/a pipe", again.Error);
        Assert.Contains("/.LAYERED", again.Error);

        // Once the files that could not be held are gone, the re-run completes the adoption.
        File.Delete(Path.Combine(_f.Tree, "a pipe"));
        File.Delete(reserved);
        _f.Layered("init", _f.Tree, "--adopt", "--password-file", _f.PasswordFile).AssertOk("init --adopt after the fix");
        Assert.False(File.Exists(Path.Combine(_f.Tree, ".layered", "adopting")));
        using (_f.MountTree())
            Assert.Equal(AdoptionFixture.Describe(_f.Original), AdoptionFixture.Describe(_f.Mount));
    }
}
