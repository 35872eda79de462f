namespace ShmMaps.Inspection;

/// <summary>What a map file holds, read from its header and lane table without knowing its generic types.</summary>
public sealed record MapDescription
{
    /// <summary>The map's name.</summary>
    public required string Name { get; init; }

    /// <summary>The map's file.</summary>
    public required string Path { get; init; }

    /// <summary>The kind (SeqMap, SeqArray, ...).</summary>
    public required string Kind { get; init; }

    /// <summary>The key type's full name ("" for kinds without keys).</summary>
    public required string KeyType { get; init; }

    /// <summary>The value type's full name.</summary>
    public required string ValueType { get; init; }

    /// <summary>The key size in bytes.</summary>
    public int KeySize { get; init; }

    /// <summary>The value size in bytes.</summary>
    public int ValueSize { get; init; }

    /// <summary>The capacity the map was created with.</summary>
    public long Capacity { get; init; }

    /// <summary>The number of entries (elements for arrays and vectors).</summary>
    public long Count { get; init; }

    /// <summary>The file's length (<c>ls -l</c>): what the map holds at create and what it grew into since; tables it grew out of stay as holes.</summary>
    public long FileBytes { get; init; }

    /// <summary>The memory the file occupies now (<c>du</c>): the file less its holes.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Handles of the map open now, in live processes (the describing one not counted).</summary>
    public int OpenHandles { get; init; }

    /// <summary>The memory reserved at create for the header, the lanes and the regions that do not grow (allocated before first use).</summary>
    public long FixedBytes { get; init; }

    /// <summary>The file format, "major.minor".</summary>
    public required string Format { get; init; }

    /// <summary>When the map was created.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The process that created it.</summary>
    public int CreatorPid { get; init; }

    /// <summary>The number of writer lanes.</summary>
    public int LaneCount { get; init; }

    /// <summary>The lanes that were ever claimed, with their holder's liveness.</summary>
    public IReadOnlyList<LaneDescription> Lanes { get; init; } = [];

    /// <summary>Figures of the map's kind, by name (a folklore map's key store use, for example).</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
