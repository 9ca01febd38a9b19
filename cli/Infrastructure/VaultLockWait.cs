using System.Diagnostics;
using Layered.Backing;
using Layered.Crypto;

namespace Layered.Cli.Infrastructure;

/// <summary>
/// A mounted vault's lock outlives its mount: once the kernel has detached the mount point, the serving process still
/// commits and checkpoints its journal and only then lets go of the lock. `layered unmount` waits for that, so the
/// backing folder is complete when the command returns (it may be synced or copied next); a mount that finds the lock
/// held while no mount of the vault is left in the mount table waits for it too (`umount` followed by `mount` in a
/// script, fstab remounts) instead of failing on a vault that is about to be free.
/// </summary>
internal static class VaultLockWait
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    private const string LockPath = VaultLayout.MetaDirectoryName + "/" + VaultLayout.LockFileName;

    /// <summary>Whether a process holds the vault's lock now (a mount, or a recover, fsck or decrypt of it).</summary>
    public static bool IsHeld(string vaultRoot)
    {
        var store = new DirectoryBackingStore(vaultRoot);
        try
        {
            // Held for the length of one flock call: a mount starting in that instant is told the vault is in use.
            store.AcquireExclusiveLock(LockPath).Dispose();
            return false;
        }
        catch (BackingStoreException e) when (e.Error == BackingError.Locked)
        {
            return true;
        }
    }

    /// <summary>Polls until the lock is free or <paramref name="timeout"/> passes; <paramref name="onStillHeld"/>
    /// runs once if it is still held after <paramref name="quietFor"/> (to tell the user what the wait is for).</summary>
    /// <returns>Whether the lock was released in time.</returns>
    public static bool WaitForRelease(string vaultRoot, TimeSpan timeout, TimeSpan quietFor, Action onStillHeld)
    {
        var clock = Stopwatch.StartNew();
        bool told = false;
        while (IsHeld(vaultRoot))
        {
            if (clock.Elapsed >= timeout)
                return false;
            if (!told && clock.Elapsed >= quietFor)
            {
                onStillHeld();
                told = true;
            }
            Thread.Sleep(PollInterval);
        }
        return true;
    }
}
