namespace ShmMaps.Striped;

/// <summary>What a write under a stripe's lock did.</summary>
internal enum StripeWrite
{
    /// <summary>Nothing changed (an add of a key present).</summary>
    Unchanged,

    /// <summary>A present key's value changed, or a key was removed.</summary>
    Changed,

    /// <summary>A key was added.</summary>
    Added,

    /// <summary>The key is absent and its stripe has no free cell: nothing changed, the map must grow first.</summary>
    StripeFull,
}
