namespace ShmMaps.Blob;

/// <summary>Where a lane is in a write of a blob map (<see cref="BlobRecord.Step"/>).</summary>
/// <remarks>
/// Steps marked "class" happen under a size class's lock and the one marked "budget" under the budget lock, and the
/// lane leaves them before it releases that lock; every other step but None happens under the stripe lock the record names.
/// </remarks>
internal enum BlobStep : uint
{
    /// <summary>No write under way.</summary>
    None = 0,

    /// <summary>The stripe is locked; no block taken yet.</summary>
    Writing = 1,

    /// <summary>Class: carving fresh heap bytes from <see cref="BlobRecord.Block"/> on into free blocks of the class.</summary>
    Carving = 2,

    /// <summary>Class: taking <see cref="BlobRecord.Block"/> from the class's free list (its head, or the block after <see cref="BlobRecord.Head"/>).</summary>
    Taking = 3,

    /// <summary><see cref="BlobRecord.Block"/> is the lane's: being filled, about to be published as <see cref="BlobRecord.New"/>.</summary>
    Taken = 4,

    /// <summary>The cell holds <see cref="BlobRecord.New"/>; <see cref="BlobRecord.Old"/>'s block is to be freed.</summary>
    Published = 5,

    /// <summary>Class: linking <see cref="BlobRecord.Block"/> in front of its class's free list.</summary>
    Returning = 6,

    /// <summary>The stripe (of an older table) is being copied into the next table.</summary>
    Moving = 7,

    /// <summary>
    /// The lane holds the stripe taken over from a dead holder and finishes the write of lane <see cref="BlobRecord.Old"/>
    /// in that lane's record: a class lock this lane dies holding is settled from that record.
    /// </summary>
    Proxy = 8,

    /// <summary>
    /// Budget: the cell holds <see cref="BlobRecord.New"/>; the live bytes, which were <see cref="BlobRecord.Blocks"/>, are
    /// being moved on by the write's difference (and the evictions to <see cref="BlobRecord.Head"/> + 1 unless it is -1).
    /// </summary>
    Accounting = 9,

    /// <summary>The cell holds <see cref="BlobRecord.New"/> and the live bytes count it; <see cref="BlobRecord.Old"/>'s block is to be freed.</summary>
    Accounted = 10,
}
