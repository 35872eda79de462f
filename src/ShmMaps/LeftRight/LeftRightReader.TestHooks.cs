using ShmMaps.Core.Epochs;

namespace ShmMaps;

/// <summary>What white-box tests reach into.</summary>
public sealed partial class LeftRightReader<TKey, TValue>
{
    /// <summary>The reader slots as this handle sees them.</summary>
    internal ReaderSlotTable Slots => _slots;
}
