namespace ShmMaps.Blob;

/// <summary>Where a lookup puts the value it reads: <see cref="Take"/> may run more than once, <see cref="Commit"/> once, for the copy that held.</summary>
internal interface IValueSink
{
    /// <summary>Copies <paramref name="value"/> (bytes that may still change: a copy that did not hold is taken again).</summary>
    void Take(ReadOnlySpan<byte> value);

    /// <summary>The last copy held: keep it.</summary>
    void Commit();
}
