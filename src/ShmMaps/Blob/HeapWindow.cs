namespace ShmMaps.Blob;

/// <summary>A handle's window onto its blob map's heap: the heap's first byte in one mapping, and the bytes known handed out.</summary>
internal sealed unsafe class HeapWindow(byte* start, long known)
{
    public byte* Base => start;

    public long Known => known;

    /// <summary>The window onto the heap as far as the frontier reaches now (mapping more if the file grew).</summary>
    public static HeapWindow Of(BlobLayout layout)
    {
        long known = layout.Frontier;
        return new HeapWindow(layout.Region.RegionPointer(BlobLayout.HeapRegion, 0, known), known);
    }
}
