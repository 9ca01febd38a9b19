using Layered.WinFsp.Callbacks;
using Layered.WinFsp.Native;

namespace Layered.WinFsp.Tests;

/// <summary>Slot indices against winfsp.md §2.8, and which callback each slot of the table holds.</summary>
[Trait("Area", "WinFsp")]
public sealed unsafe class InterfaceTableTests
{
    public static TheoryData<string, int> DocumentedSlots => new()
    {
        { nameof(InterfaceSlot.GetVolumeInfo), 0 }, { nameof(InterfaceSlot.SetVolumeLabel), 1 },
        { nameof(InterfaceSlot.GetSecurityByName), 2 }, { nameof(InterfaceSlot.Create), 3 },
        { nameof(InterfaceSlot.Open), 4 }, { nameof(InterfaceSlot.Overwrite), 5 },
        { nameof(InterfaceSlot.Cleanup), 6 }, { nameof(InterfaceSlot.Close), 7 },
        { nameof(InterfaceSlot.Read), 8 }, { nameof(InterfaceSlot.Write), 9 },
        { nameof(InterfaceSlot.Flush), 10 }, { nameof(InterfaceSlot.GetFileInfo), 11 },
        { nameof(InterfaceSlot.SetBasicInfo), 12 }, { nameof(InterfaceSlot.SetFileSize), 13 },
        { nameof(InterfaceSlot.CanDelete), 14 }, { nameof(InterfaceSlot.Rename), 15 },
        { nameof(InterfaceSlot.GetSecurity), 16 }, { nameof(InterfaceSlot.SetSecurity), 17 },
        { nameof(InterfaceSlot.ReadDirectory), 18 }, { nameof(InterfaceSlot.ResolveReparsePoints), 19 },
        { nameof(InterfaceSlot.GetReparsePoint), 20 }, { nameof(InterfaceSlot.SetReparsePoint), 21 },
        { nameof(InterfaceSlot.DeleteReparsePoint), 22 }, { nameof(InterfaceSlot.GetStreamInfo), 23 },
        { nameof(InterfaceSlot.GetDirInfoByName), 24 }, { nameof(InterfaceSlot.Control), 25 },
        { nameof(InterfaceSlot.SetDelete), 26 }, { nameof(InterfaceSlot.CreateEx), 27 },
        { nameof(InterfaceSlot.OverwriteEx), 28 }, { nameof(InterfaceSlot.GetEa), 29 },
        { nameof(InterfaceSlot.SetEa), 30 }, { nameof(InterfaceSlot.Obsolete0), 31 },
        { nameof(InterfaceSlot.DispatcherStopped), 32 }, { nameof(InterfaceSlot.FirstReserved), 33 },
    };

    [Theory]
    [MemberData(nameof(DocumentedSlots))]
    public void SlotConstantMatchesTheDocumentedIndex(string slot, int index)
    {
        object? value = typeof(InterfaceSlot).GetField(slot)!.GetValue(null);
        Assert.Equal(index, (int)value!);
    }

    [Fact]
    public void EveryWiredSlotHoldsItsOwnCallbackAndNothingElseIsSet()
    {
        var expected = new Dictionary<int, nint>
        {
            [InterfaceSlot.GetVolumeInfo] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, FspVolumeInfo*, int>)&FileSystemCallbacks.GetVolumeInfo,
            [InterfaceSlot.SetVolumeLabel] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, FspVolumeInfo*, int>)&FileSystemCallbacks.SetVolumeLabel,
            [InterfaceSlot.GetSecurityByName] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint*, void*, nuint*, int>)&FileSystemCallbacks.GetSecurityByName,
            [InterfaceSlot.Open] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, uint, nint*, FspOpenFileInfo*, int>)&FileSystemCallbacks.Open,
            [InterfaceSlot.Cleanup] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, uint, void>)&FileSystemCallbacks.Cleanup,
            [InterfaceSlot.Close] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void>)&FileSystemCallbacks.Close,
            [InterfaceSlot.Read] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, ulong, uint, uint*, int>)&FileSystemCallbacks.Read,
            [InterfaceSlot.Write] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, ulong, uint, byte, byte, uint*, FspFileInfo*, int>)&FileSystemCallbacks.Write,
            [InterfaceSlot.Flush] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, FspFileInfo*, int>)&FileSystemCallbacks.Flush,
            [InterfaceSlot.GetFileInfo] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, FspFileInfo*, int>)&FileSystemCallbacks.GetFileInfo,
            [InterfaceSlot.SetBasicInfo] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, ulong, ulong, ulong, ulong, FspFileInfo*, int>)&FileSystemCallbacks.SetBasicInfo,
            [InterfaceSlot.SetFileSize] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, ulong, byte, FspFileInfo*, int>)&FileSystemCallbacks.SetFileSize,
            [InterfaceSlot.Rename] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, char*, byte, int>)&FileSystemCallbacks.Rename,
            [InterfaceSlot.GetSecurity] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, void*, nuint*, int>)&FileSystemCallbacks.GetSecurity,
            [InterfaceSlot.SetSecurity] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, void*, int>)&FileSystemCallbacks.SetSecurity,
            [InterfaceSlot.ReadDirectory] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, char*, void*, uint, uint*, int>)&FileSystemCallbacks.ReadDirectory,
            [InterfaceSlot.ResolveReparsePoints] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, byte, IoStatusBlock*, void*, nuint*, int>)&FileSystemCallbacks.ResolveReparsePoints,
            [InterfaceSlot.GetReparsePoint] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint*, int>)&FileSystemCallbacks.GetReparsePoint,
            [InterfaceSlot.SetReparsePoint] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint, int>)&FileSystemCallbacks.SetReparsePoint,
            [InterfaceSlot.DeleteReparsePoint] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, void*, nuint, int>)&FileSystemCallbacks.DeleteReparsePoint,
            [InterfaceSlot.GetDirInfoByName] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, FspDirInfo*, int>)&FileSystemCallbacks.GetDirInfoByName,
            [InterfaceSlot.SetDelete] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, char*, byte, int>)&FileSystemCallbacks.SetDelete,
            [InterfaceSlot.CreateEx] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, char*, uint, uint, uint, void*, ulong, void*, uint, byte, nint*, FspOpenFileInfo*, int>)&FileSystemCallbacks.CreateEx,
            [InterfaceSlot.OverwriteEx] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, nint, uint, byte, ulong, void*, uint, FspFileInfo*, int>)&FileSystemCallbacks.OverwriteEx,
            [InterfaceSlot.DispatcherStopped] = (nint)(delegate* unmanaged[Cdecl]<FspFileSystemHeader*, byte, void>)&FileSystemCallbacks.DispatcherStopped,
        };

        using var table = InterfaceTable.Create();
        for (int slot = 0; slot < InterfaceSlot.Count; slot++)
        {
            nint want = expected.TryGetValue(slot, out nint address) ? address : 0;
            Assert.True(want == table[slot], $"slot {slot}: expected 0x{want:X}, table holds 0x{table[slot]:X}");
        }

        // The Ex forms and SetDelete take precedence; their plain forms, Obsolete0 and the reserved
        // slots must be null (a stray pointer there would be called with the wrong arguments).
        Assert.Equal(0, table[InterfaceSlot.Create]);
        Assert.Equal(0, table[InterfaceSlot.Overwrite]);
        Assert.Equal(0, table[InterfaceSlot.CanDelete]);
        Assert.Equal(0, table[InterfaceSlot.Obsolete0]);
        Assert.Equal(0, table[InterfaceSlot.GetStreamInfo]);
        Assert.Equal(0, table[InterfaceSlot.Control]);
        Assert.Equal(0, table[InterfaceSlot.GetEa]);
        Assert.Equal(0, table[InterfaceSlot.SetEa]);
        Assert.All(expected.Values, address => Assert.NotEqual(0, address));
        Assert.Equal(expected.Count, expected.Values.Distinct().Count());
    }

    [Fact]
    public void TheTableIsUnmanagedMemoryThatStaysPutUntilDisposed()
    {
        var table = InterfaceTable.Create();
        FspFileSystemInterface* before = table.Pointer;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(before == table.Pointer);
        Assert.NotEqual(0, (*before)[InterfaceSlot.Open]);
        table.Dispose();
        Assert.Throws<ObjectDisposedException>(() => table[InterfaceSlot.Open]);
    }
}
