namespace ShmMaps.Hosting;

/// <summary>
/// A replica cannot follow its source any more and no reconnection would cure it: its slot was dropped, the table no
/// longer has the mapped columns, its key is not the replica identity, or the table was truncated. The message says which.
/// </summary>
public sealed class ReplicationBrokenException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public ReplicationBrokenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public ReplicationBrokenException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
