namespace ShmMaps;

/// <summary>No map of that name exists in the directory.</summary>
public class MapNotFoundException : ShmMapException
{
    /// <summary>Creates the exception with a message.</summary>
    public MapNotFoundException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MapNotFoundException(string message, Exception inner) : base(message, inner) { }
}
