namespace ShmMaps;

/// <summary>Create was asked for a name that already exists.</summary>
public class MapExistsException : ShmMapException
{
    /// <summary>Creates the exception with a message.</summary>
    public MapExistsException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MapExistsException(string message, Exception inner) : base(message, inner) { }
}
