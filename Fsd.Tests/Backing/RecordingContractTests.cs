using Layered.Backing;
using Xunit;

namespace Layered.Backing.Tests;

/// <summary>
/// The contract suite through the recorder. After every test, the whole recording is replayed into a
/// fresh store of the same kind and the two trees must be equal, so every contract test is also a
/// replay test.
/// </summary>
public abstract class RecordingContractTests : BackingStoreContractTests
{
    protected RecordingBackingStore Recorder => (RecordingBackingStore)Store;

    /// <summary>A fresh, empty store of the kind being recorded.</summary>
    protected abstract IBackingStore CreateInnerStore();

    protected override IBackingStore CreateStore() => new RecordingBackingStore(CreateInnerStore());

    public override void Dispose()
    {
        try
        {
            var expected = BackingTree.Capture(Store);
            using var replica = CreateInnerStore();
            Recorder.Recording.ApplyAllTo(replica);
            Assert.Equal(expected.ToString(), BackingTree.Capture(replica).ToString());
        }
        finally
        {
            base.Dispose();
        }
    }
}

[Trait("Area", "Engine")]
public sealed class RecordingOverMemoryTests : RecordingContractTests
{
    protected override IBackingStore CreateInnerStore() => new InMemoryBackingStore();
}

[Trait("Area", "Engine")]
public sealed class RecordingOverDirectoryTests : RecordingContractTests
{
    private readonly List<TempFolder> _folders = [];

    protected override bool CanChangeOwner => Environment.UserName == "root";

    protected override IBackingStore CreateInnerStore()
    {
        var folder = new TempFolder();
        _folders.Add(folder);
        return new DirectoryBackingStore(folder.Path);
    }

    public override void Dispose()
    {
        try
        {
            base.Dispose();
        }
        finally
        {
            _folders.ForEach(f => f.Dispose());
        }
    }
}
