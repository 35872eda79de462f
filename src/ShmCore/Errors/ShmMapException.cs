namespace ShmMaps;

/// <summary>The base of every error ShmMaps reports about a map.</summary>
public class ShmMapException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public ShmMapException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ShmMapException(string message, Exception inner) : base(message, inner) { }
}
