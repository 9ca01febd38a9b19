using Layered.Crypto;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Layered.Crypto.Tests;

/// <summary>The arena that holds file content keys: slot reuse, zeroing, growth only when every slot is taken.</summary>
[Trait("Area", "Crypto")]
public sealed unsafe class KeyArenaTests
{
    [Fact]
    public void Grows_by_one_region_only_when_full_and_reuses_returned_slots()
    {
        using var arena = new KeyArena(regionSize: Environment.SystemPageSize);
        int perRegion = arena.SlotsPerRegion;
        Assert.Equal(Environment.SystemPageSize / KeyArena.SlotSize, perRegion);
        Assert.Equal(0, arena.RegionCount);

        var slots = new List<nint>();
        for (int i = 0; i < perRegion; i++)
            slots.Add((nint)arena.Rent());
        Assert.Equal(1, arena.RegionCount);
        Assert.Equal(perRegion, slots.Distinct().Count());
        slots.Add((nint)arena.Rent());
        Assert.Equal(2, arena.RegionCount);
        Assert.Equal(perRegion + 1, arena.RentedSlots);

        foreach (nint slot in slots)
            arena.Return((byte*)slot);
        Assert.Equal(0, arena.RentedSlots);
        for (int round = 0; round < 10 * perRegion; round++)
            arena.Return(arena.Rent());
        Assert.Equal(2, arena.RegionCount);
    }

    [Fact]
    public void A_returned_slot_is_zeroed_and_comes_back_zeroed()
    {
        using var arena = new KeyArena(regionSize: Environment.SystemPageSize);
        byte* slot = arena.Rent();
        Assert.True(new Span<byte>(slot, KeyArena.SlotSize).IndexOfAnyExcept((byte)0) < 0, "a fresh slot is zero");
        new Span<byte>(slot, KeyArena.SlotSize).Fill(0xA5);
        arena.Return(slot);
        Assert.True(new Span<byte>(slot, KeyArena.SlotSize).IndexOfAnyExcept((byte)0) < 0, "a returned slot is zero");
        byte* again = arena.Rent();
        Assert.Equal((nint)slot, (nint)again);
        arena.Return(again);
    }

    [Fact]
    public void A_slot_from_elsewhere_is_refused()
    {
        using var arena = new KeyArena(regionSize: Environment.SystemPageSize);
        using var other = new KeyArena(regionSize: Environment.SystemPageSize);
        byte* mine = arena.Rent();
        byte* theirs = other.Rent();
        Assert.Throws<ArgumentException>(() => arena.Return(theirs));
        Assert.Throws<ArgumentException>(() => arena.Return(mine + 1));
        arena.Return(mine);
        other.Return(theirs);
    }

    [Fact]
    public void Disposed_arena_refuses_rents_and_frees_its_regions_when_the_last_slot_returns()
    {
        var arena = new KeyArena(regionSize: Environment.SystemPageSize);
        byte* slot = arena.Rent();
        arena.Dispose();
        Assert.Throws<ObjectDisposedException>(() => arena.Rent());
        Assert.Equal(1, arena.RegionCount);
        arena.Return(slot);
        Assert.Equal(0, arena.RegionCount);
        arena.Dispose();
    }

    /// <summary>
    /// As root (CI) the regions are locked and show in VmLck. Where the system refuses (checked by hand as
    /// nobody with `ulimit -l 0`) the arena keeps working, says so, and warns once however many regions it adds.
    /// </summary>
    [Fact]
    public void Regions_are_locked_or_the_refusal_is_reported_once()
    {
        var logger = new RecordingLogger();
        using var arena = new KeyArena(logger, regionSize: Environment.SystemPageSize);
        var slots = new List<nint>();
        for (int i = 0; i < 3 * arena.SlotsPerRegion; i++)
            slots.Add((nint)arena.Rent());
        Assert.Equal(3, arena.RegionCount);
        if (arena.AllRegionsLocked)
        {
            Assert.Empty(logger.Entries);
            Assert.True(LockedKilobytes() >= 3 * Environment.SystemPageSize / 1024, "VmLck counts the locked regions");
        }
        else
        {
            var warning = Assert.Single(logger.Entries);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("could not be locked", warning.Message, StringComparison.Ordinal);
        }
        foreach (nint slot in slots)
            arena.Return((byte*)slot);
    }

    private static long LockedKilobytes()
    {
        if (!OperatingSystem.IsLinux())
            return long.MaxValue;
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmLck:", StringComparison.Ordinal));
        return long.Parse(line["VmLck:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
