using Layered.Backing;
using Layered.Crypto;

namespace Layered.Fsd.Nodes;

/// <summary>A file the volume has just created: its open backing file and the header written into it.</summary>
internal sealed record NewFile(IBackingFile File, FileHeader Header);
