using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>
/// A map from string (or UTF-8) keys to byte values of any size, in a shared file: any number of processes read and
/// write it by name. Readers take no lock and copy a value out whole; writers lock the key's stripe, write the key and
/// value into a block of their own, and publish it with one store.
/// </summary>
/// <remarks>
/// <para>
/// Layout: <see cref="BlobLayout"/>. The index is a table of 8-byte entries cut into stripes of 256 cells, one robust
/// lock per stripe; an entry names a block of the heap (key and value, <see cref="BlobBlock"/>) of one of 285 size
/// classes (<see cref="SizeClasses"/>). A write takes a free block of its size's class, fills it, puts its entry in the
/// cell and gives the old block back to its class, where the next write of that size reuses it. A block is only ever
/// reused as a block of the same size, and its version moves on at every reuse: a reader that copied a value checks the
/// version after, and reads again if it moved, so no reader sees a torn value or waits for a writer.
/// </para>
/// <para>
/// When a key's stripe is full, the map grows online: a table of twice the stripes is carved from the heap and the
/// writers of every process copy the old stripes into it (the blocks stay where they are), as a StripedMap does.
/// </para>
/// <para>
/// A process killed at any instant leaves every key at its old or its new value; the blocks it had taken go back to
/// their lists when another process next needs the locks it held (BlobMap.Recovery.cs), or at <c>shm recover</c>.
/// </para>
/// </remarks>
public sealed unsafe partial class BlobMap : IDisposable
{
    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyLength = BlobBlock.MaxKeyLength;

    /// <summary>The most bytes a key and its value take together (a 16 MiB value with any key fits).</summary>
    public const int MaxEntryLength = SizeClasses.Largest - BlobBlock.HeaderSize;

    private readonly MapRegion _region;
    private readonly BlobLayout _layout;
    private readonly BlobHeap _heap;
    private readonly BlobBudget _budget;
    private readonly TableDirectory _directory;
    private readonly TableRetirement _retirement;
    private readonly Migration _migration;
    private readonly ulong _seed;
    private readonly long _firstTableBytes;
    private readonly LockWordAction _finishDeadStripeOwner;
    private HeapWindow _window;
    private ViewCache<BlobView> _views;

    private BlobMap(MapRegion region)
    {
        _region = region;
        _layout = BlobLayout.Open(region);
        _heap = new BlobHeap(_layout);
        _budget = new BlobBudget(_layout);
        _directory = _layout.Control.Directory;
        _seed = region.HashSeed;
        _firstTableBytes = _layout.FirstTableBytes;
        _finishDeadStripeOwner = FinishDeadStripeOwner;
        ulong state = _directory.ReadState();
        TableDirectory.Check(state, _layout.Tables, region.Name);
        _layout.Heap.EnsureReserved(_layout.Frontier);
        _window = HeapWindow.Of(_layout);
        _retirement = new TableRetirement(region, _directory, _layout.GivenBack);
        _views = new ViewCache<BlobView>(_directory, state, _layout.View, static last => BlobView.Closed(last.Newest), _retirement, region.Name);
        _migration = new Migration(this);
        _retirement.OnOpen(state);
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of keys the map was created for (it grows past them).</summary>
    public long Capacity => _region.Capacity;

    /// <summary>A number drawn when the map's file was created: a file made again under the same name has another.</summary>
    public ulong FileIdentity => _seed;

    /// <summary>The number of keys: the stripes' counts summed (exact when no write runs meanwhile).</summary>
    public long Count
    {
        get
        {
            ThrowIfDisposed();
            while (true)
            {
                BlobView view = View();
                long count = 0;
                BlobTable newest = view.Newest;
                BlobTable? older = view.Older;
                long stripes = older?.Stripes ?? newest.Stripes;
                for (long s = 0; s < stripes; s++)
                {
                    count += older is null ? *newest.Live(s)
                        : view.IsMoved(s) ? *newest.Live(s) + *newest.Live(s + stripes) : *older.Live(s);
                }
                if (_directory.ReadState() == view.State)
                {
                    return count;
                }
            }
        }
    }

    /// <summary>Creates an empty map for about <paramref name="capacity"/> keys; <see cref="MapExistsException"/> if the name exists.</summary>
    public static BlobMap Create(string name, long capacity, ShmOptions? options = null) =>
        MapRegion.Create(name, BlobLayout.Spec(capacity, options), options).Adopt(static region => new BlobMap(region));

    /// <summary>Opens an existing map; <see cref="LayoutMismatchException"/> if it is not a BlobMap.</summary>
    public static BlobMap Open(string name, ShmOptions? options = null) =>
        MapRegion.Open(name, BlobLayout.Spec(0, options), options).Adopt(static region => new BlobMap(region));

    /// <summary>Opens the map, creating it for about <paramref name="capacity"/> keys if it does not exist.</summary>
    public static BlobMap OpenOrCreate(string name, long capacity, ShmOptions? options = null) =>
        MapRegion.OpenOrCreate(name, BlobLayout.Spec(capacity, options), options).Adopt(static region => new BlobMap(region));

    /// <summary>Deletes the map's file; false if there was none. Processes that have it open keep using it.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    /// <summary>Closes this handle, once its watchers have stopped (their enumerations end with <see cref="ObjectDisposedException"/>); the file stays for other processes. No other operation may be running on it.</summary>
    public void Dispose()
    {
        _watchers.Close(WakeWatchers);
        _views.Close();
        if (_ownsRegion)
        {
            _region.Dispose();
        }
    }

    /// <summary>Whether this handle was disposed.</summary>
    internal bool IsClosed => _views.IsClosed;

    /// <summary>The open region (for inspection and white-box tests).</summary>
    internal MapRegion Region => _region;

    internal BlobLayout Layout => _layout;

    /// <summary>The tables the state word names now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal BlobView View() => _views.Current();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Hash(ReadOnlySpan<byte> key) => XxHash3.Hash(key, _seed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_views.IsClosed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    /// <summary>
    /// Block bytes named by an entry: from this handle's window onto the heap when they lie in it, else from the window
    /// renewed (the heap grew); <see cref="CorruptMapException"/> if they lie outside the heap handed out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* BlockOf(ulong entry, out int size)
    {
        int sizeClass = BlobEntry.Class(entry);
        long offset = BlobEntry.Offset(entry);
        HeapWindow window = _window;
        if (sizeClass < SizeClasses.Count)
        {
            size = SizeClasses.Size(sizeClass);
            if (offset >= _firstTableBytes && offset <= window.Known - size)
            {
                return window.Base + offset;
            }
        }
        return BlockOfSlow(entry, out size);
    }

    /// <summary>
    /// A fixed area of the heap whose offset the control word <paramref name="offsetWord"/> keeps (the change log, the
    /// cache counts): made at the frontier if <paramref name="create"/> and the map has none, checked to lie in the heap
    /// handed out, and kept in <paramref name="found"/> (its place never changes); null if the map has none.
    /// </summary>
    private byte* HeapArea(ref byte* found, long* offsetWord, long bytes, string what, bool create)
    {
        if (found is not null)
        {
            return found;
        }
        long offset = SharedMemory.ReadAcquire(offsetWord);
        if (offset == 0 && create)
        {
            offset = _heap.AdvanceForTable(CurrentLane(), offsetWord, bytes, what);
        }
        if (offset == 0)
        {
            return null;
        }
        if (offset < _firstTableBytes || offset % BlobEntry.UnitBytes != 0 || offset > _layout.Frontier - bytes)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': {what} is said to lie at heap offset {offset}, outside the heap handed out");
        }
        found = _region.RegionPointer(BlobLayout.HeapRegion, offset, bytes);
        return found;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* BlockOfSlow(ulong entry, out int size)
    {
        int sizeClass = BlobEntry.Class(entry);
        if (sizeClass >= SizeClasses.Count)
        {
            ThrowHelper.ThrowCorrupt($"map '{Name}': an entry names size class {sizeClass}; there are {SizeClasses.Count}");
        }
        size = SizeClasses.Size(sizeClass);
        byte* block = _layout.Block(BlobEntry.Offset(entry), size);
        _window = HeapWindow.Of(_layout);
        return block;
    }

    private string KeyText(ReadOnlySpan<byte> key) => key.Length <= 64 ? System.Text.Encoding.UTF8.GetString(key) : System.Text.Encoding.UTF8.GetString(key[..64]) + "...";
}
