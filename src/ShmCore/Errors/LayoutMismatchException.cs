namespace ShmMaps;

/// <summary>A map file exists but holds another kind, key type or value type than asked for.</summary>
public class LayoutMismatchException : ShmMapException
{
    /// <summary>Creates the exception with a message.</summary>
    public LayoutMismatchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LayoutMismatchException(string message, Exception inner) : base(message, inner) { }
}
