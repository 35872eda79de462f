namespace ShmMaps.Inspection;

/// <summary>The outcome of checking (or recovering) a map: every invariant violation found, in words.</summary>
public sealed class CheckReport
{
    private readonly List<string> _problems = [];
    private readonly List<string> _notes = [];

    /// <summary>The map checked.</summary>
    public required string Name { get; init; }

    /// <summary>The violations; empty when the map is sound.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>What is worth knowing but violates nothing (for example reclaimable space).</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Locks of dead processes that were released (recover only).</summary>
    public int Recovered { get; internal set; }

    /// <summary>Cells, elements or lock words examined.</summary>
    public long Examined { get; internal set; }

    /// <summary>True when no violation was found.</summary>
    public bool IsSound => _problems.Count == 0;

    internal void Add(string problem) => _problems.Add(problem);

    internal void Note(string note) => _notes.Add(note);
}
