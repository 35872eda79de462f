namespace ShmMaps;

/// <summary>A map file's header or structure is invalid; the message names the field.</summary>
public class CorruptMapException : ShmMapException
{
    /// <summary>Creates the exception with a message.</summary>
    public CorruptMapException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public CorruptMapException(string message, Exception inner) : base(message, inner) { }
}
