namespace ShmMaps;

/// <summary>A live process holds the single writer of a map.</summary>
public class WriterBusyException : ShmMapException
{
    /// <summary>Creates the exception with a message.</summary>
    public WriterBusyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WriterBusyException(string message, Exception inner) : base(message, inner) { }
}
