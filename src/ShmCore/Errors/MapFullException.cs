namespace ShmMaps;

/// <summary>A map has no free cell for a new key; the map stays usable.</summary>
public class MapFullException : ShmMapException
{
    /// <summary>Creates the exception with a message.</summary>
    public MapFullException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MapFullException(string message, Exception inner) : base(message, inner) { }
}
