namespace ShmMaps.Tables;

/// <summary>
/// One table of a map that grows by tables, as its migration sees it: units (insert stripes, stripes, blocks of home
/// cells), each with a moved flag set once the unit is copied into the next table.
/// </summary>
internal unsafe interface IMigratingTable
{
    /// <summary>The table's generation.</summary>
    int Generation { get; }

    /// <summary>The units a migration out of this table moves.</summary>
    long Units { get; }

    /// <summary>The unit of this table that a key of <paramref name="hash"/> belongs to.</summary>
    long UnitOf(ulong hash);

    /// <summary>Unit <paramref name="unit"/>'s moved flag: not 0 once the unit is in the next table.</summary>
    ulong* MovedFlag(long unit);
}
