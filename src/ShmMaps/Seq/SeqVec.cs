using ShmMaps.Seq;

namespace ShmMaps;

/// <summary>
/// A growable vector in a shared file where every element is its own seqlock. <see cref="Push"/> from any
/// process appends; reads never lock.
/// </summary>
/// <remarks>
/// The file holds the initial capacity at create and grows toward <see cref="MaxCapacity"/> elements; a push past what
/// is reserved first reserves the next chunk (<see cref="RegionGrowth.Chunk"/>), so growing never moves
/// an element, never makes a reader wait, and on a full file system is a <see cref="MapFullException"/>. A push first reserves its index (a CAS on the shared count), then
/// writes the element; an index reserved by a push that has not finished (or whose process died before
/// writing) reads as absent.
/// </remarks>
/// <typeparam name="T">The element type; an unmanaged value, stored by its bytes.</typeparam>
public sealed unsafe class SeqVec<T> : IDisposable where T : unmanaged
{
    /// <summary>The reservation used when <c>maxCapacity</c> is not given: this many times the initial capacity (at least 1 Mi elements).</summary>
    public const long DefaultGrowthFactor = 1024;

    private readonly MapRegion _region;
    private readonly SeqVecLayout _layout;
    private readonly long* _reserved;
    private readonly int _stride;

    /// <summary>The cells this handle has mapped (the first chunks); replaced by a wider one as the vector grows.</summary>
    private CellWindow _window;

    private SeqVec(MapRegion region)
    {
        _region = region;
        _layout = SeqVecLayout.Open(region);
        _window = new CellWindow(_layout.CellsThrough(_layout.Count));
        _reserved = _layout.Reserved;
        _stride = _layout.Cell.Stride;
        InitialCapacity = _layout.InitialCapacity;
        MaxCapacity = _layout.MaxCapacity;
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of elements pushed (indexes reserved).</summary>
    public long Count
    {
        get
        {
            _region.ThrowIfDisposed();
            return _layout.Count;
        }
    }

    /// <summary>The capacity the vector was created with.</summary>
    public long InitialCapacity { get; }

    /// <summary>The current capacity: the initial capacity doubled until it holds <see cref="Count"/>.</summary>
    public long Capacity
    {
        get
        {
            long count = Count;
            long capacity = Math.Max(InitialCapacity, 1);
            while (capacity < count)
            {
                capacity *= 2;
            }
            return Math.Min(capacity, MaxCapacity);
        }
    }

    /// <summary>The most elements the file has room for; a push past it is a <see cref="MapFullException"/>.</summary>
    public long MaxCapacity { get; }

    /// <summary>Creates an empty vector with room reserved for <paramref name="maxCapacity"/> elements (default: <see cref="DefaultGrowthFactor"/> times <paramref name="capacity"/>).</summary>
    public static SeqVec<T> Create(string name, long capacity, ShmOptions? options = null, long maxCapacity = 0) =>
        MapRegion.Create(name, Spec(capacity, maxCapacity), options).Adopt(static region => new SeqVec<T>(region));

    /// <summary>Opens an existing vector; <see cref="LayoutMismatchException"/> if it is not a <c>SeqVec&lt;T&gt;</c>.</summary>
    public static SeqVec<T> Open(string name, ShmOptions? options = null) =>
        MapRegion.Open(name, Spec(0, 0), options).Adopt(static region => new SeqVec<T>(region));

    /// <summary>Opens the vector, creating it if it does not exist.</summary>
    public static SeqVec<T> OpenOrCreate(string name, long capacity, ShmOptions? options = null, long maxCapacity = 0) =>
        MapRegion.OpenOrCreate(name, Spec(capacity, maxCapacity), options).Adopt(static region => new SeqVec<T>(region));

    /// <summary>Deletes the vector's file; false if there was none.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    /// <summary>The element at <paramref name="index"/>; setting it requires index &lt; <see cref="Count"/>.</summary>
    public T this[long index]
    {
        get => Get(index) ?? throw new ArgumentOutOfRangeException(nameof(index), index, $"no element at {index} (count {Count})");
        set => Set(index, value);
    }

    /// <summary>
    /// Appends <paramref name="value"/>; returns its index. <see cref="MapFullException"/> past <see cref="MaxCapacity"/>,
    /// or when the file system has no memory for the next chunk of the vector (nothing is pushed then).
    /// </summary>
    public long Push(T value)
    {
        _region.ThrowIfDisposed();
        long index = SharedMemory.ReadAcquire(_reserved);
        while (true)
        {
            if ((ulong)index >= (ulong)MaxCapacity)
            {
                if (index < 0)
                {
                    ThrowHelper.ThrowCorrupt($"map '{Name}': the element counter holds {index}");
                }
                ThrowHelper.ThrowMapFull(Name, MaxCapacity);
            }
            // The cell's memory is reserved before the index is taken: no index is ever handed out without it.
            _layout.Growth.Cover(index * _stride, (index + 1) * _stride);
            // Full fence: the index is ours once the CAS succeeds; nobody else writes that cell first.
            long seen = SharedMemory.CompareExchange(_reserved, index + 1, index);
            if (seen == index)
            {
                break;
            }
            index = seen;
        }
        CellsOf(index).StoreElement(index, value);
        return index;
    }

    /// <summary>The element at <paramref name="index"/>, or null if there is none (yet).</summary>
    public T? Get(long index) => TryGet(index, out T value) ? value : null;

    /// <summary>The element at <paramref name="index"/>; false if the index is not below <see cref="Count"/> or not written yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(long index, out T value)
    {
        _region.ThrowIfDisposed();
        value = default;
        if ((ulong)index >= (ulong)_layout.Count)
        {
            return false;
        }
        if (CellsOf(index).TryLoadElement(index, out value))
        {
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Replaces the element at <paramref name="index"/> (below <see cref="Count"/>).</summary>
    public void Set(long index, T value)
    {
        _region.ThrowIfDisposed();
        if ((ulong)index >= (ulong)Count)
        {
            ThrowHelper.ThrowIndex(index, Count);
        }
        CellsOf(index).StoreElement(index, value);
    }

    /// <summary>Closes this handle; the file stays for other processes. No operation may be running on it.</summary>
    public void Dispose() => _region.Dispose();

    /// <summary>The cells that hold <paramref name="index"/>, an index handed out (its chunk reserved).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SeqCells CellsOf(long index)
    {
        CellWindow window = _window;
        return index < window.Cells.Count ? window.Cells : Widen(index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SeqCells Widen(long index)
    {
        var window = new CellWindow(_layout.CellsThrough(index + 1));
        _window = window; // a reference store: readers get this window or the one before, both mapped for good
        return window.Cells;
    }

    /// <summary>Cells mapped at once: a class, so that a handle swaps them with one reference store.</summary>
    private sealed class CellWindow(SeqCells cells)
    {
        public SeqCells Cells { get; } = cells;
    }

    private static RegionSpec Spec(long capacity, long maxCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        return SeqVecLayout.Spec(capacity, maxCapacity == 0 ? Math.Max(capacity, 1024) * DefaultGrowthFactor : maxCapacity,
            SeqCellLayout.For<T, T>(hasKey: false), TypeLayout.NameOf<T>());
    }
}
