using ShmMaps.Seq;

namespace ShmMaps;

/// <summary>
/// A fixed-length array in a shared file where every element is its own seqlock: reads never lock and
/// retry on a torn copy; writes lock one element. Many processes read and write it at once.
/// </summary>
/// <typeparam name="T">The element type; an unmanaged value, stored by its bytes.</typeparam>
public sealed unsafe class SeqArray<T> : IDisposable where T : unmanaged
{
    private readonly MapRegion _region;
    private readonly SeqCells _cells;

    private SeqArray(MapRegion region)
    {
        _region = region;
        SeqArrayLayout layout = SeqArrayLayout.Open(region);
        _cells = layout.Cells;
        Length = layout.Length;
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of elements.</summary>
    public long Length { get; }

    /// <summary>The number of elements (the same as <see cref="Length"/>).</summary>
    public long Capacity => Length;

    /// <summary>Creates a new array of <paramref name="length"/> default elements; <see cref="MapExistsException"/> if the name exists.</summary>
    public static SeqArray<T> Create(string name, long length, ShmOptions? options = null) =>
        MapRegion.Create(name, Spec(length), options).Adopt(static region => new SeqArray<T>(region));

    /// <summary>Opens an existing array; <see cref="LayoutMismatchException"/> if it is not a <c>SeqArray&lt;T&gt;</c>.</summary>
    public static SeqArray<T> Open(string name, ShmOptions? options = null) =>
        MapRegion.Open(name, Spec(0), options).Adopt(static region => new SeqArray<T>(region));

    /// <summary>Opens the array, creating it with <paramref name="length"/> elements if it does not exist.</summary>
    public static SeqArray<T> OpenOrCreate(string name, long length, ShmOptions? options = null) =>
        MapRegion.OpenOrCreate(name, Spec(length), options).Adopt(static region => new SeqArray<T>(region));

    /// <summary>Deletes the array's file; false if there was none.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    /// <summary>The element at <paramref name="index"/>.</summary>
    public T this[long index]
    {
        get => Get(index);
        set => Set(index, value);
    }

    /// <summary>The element at <paramref name="index"/>; <see cref="ArgumentOutOfRangeException"/> outside [0, Length).</summary>
    public T Get(long index)
    {
        if (!TryGet(index, out T value))
        {
            ThrowHelper.ThrowIndex(index, Length);
        }
        return value;
    }

    /// <summary>The element at <paramref name="index"/>, or false outside [0, Length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(long index, out T value)
    {
        _region.ThrowIfDisposed();
        if ((ulong)index >= (ulong)Length)
        {
            value = default;
            return false;
        }
        _cells.TryLoadElement(index, out value); // a never-written element reads as default(T)
        return true;
    }

    /// <summary>Sets the element at <paramref name="index"/>; <see cref="ArgumentOutOfRangeException"/> outside [0, Length).</summary>
    public void Set(long index, T value)
    {
        _region.ThrowIfDisposed();
        if ((ulong)index >= (ulong)Length)
        {
            ThrowHelper.ThrowIndex(index, Length);
        }
        _cells.StoreElement(index, value);
    }

    /// <summary>Closes this handle; the file stays for other processes. No operation may be running on it.</summary>
    public void Dispose() => _region.Dispose();

    private static RegionSpec Spec(long length) => SeqArrayLayout.Spec(length, SeqCellLayout.For<T, T>(hasKey: false), TypeLayout.NameOf<T>());
}
