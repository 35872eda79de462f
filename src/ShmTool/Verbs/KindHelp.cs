using ShmMaps.Inspection;

namespace ShmMaps.Tool.Verbs;

/// <summary>Help texts made from the kinds the library knows, so that a new kind shows in them without an edit here.</summary>
public static class KindHelp
{
    /// <summary><c>shm create --kind</c>: every kind's short name.</summary>
    public static string Kinds => $"{string.Join(", ", MapEditor.KindNames.Keys)}.";
}
