using ShmMaps.Striped;

namespace ShmMaps;

/// <summary>
/// A hash map in a shared file cut into stripes, one robust lock per stripe: writers of different stripes
/// never wait for each other, a read-modify-write of one key (<see cref="AddOrUpdate"/>) or of several
/// (<see cref="Lock"/>) is atomic for every process, and readers take no lock (they check the stripe's
/// version instead).
/// </summary>
/// <remarks>
/// Layout: <see cref="StripedLayout"/>. Keys compare and hash by their bytes, so <typeparamref name="TKey"/>
/// must have no padding. The first table holds <c>capacity</c> entries at or below <see cref="ShmOptions.MaxLoad"/>;
/// past that load (0.5 by default), or when a key's stripe is full, an add starts a table of twice the stripes, and
/// the writers of every process copy the old stripes into it one at a time while lookups read both (the growth
/// protocol is in StripedMap.Growth.cs). With <see cref="ShmOptions.MaxCapacity"/>, a key whose stripe is full in
/// the largest table is refused with <see cref="MapFullException"/> (the map stays usable).
/// </remarks>
/// <typeparam name="TKey">The key type; unmanaged, without padding.</typeparam>
/// <typeparam name="TValue">The value type; unmanaged.</typeparam>
public sealed unsafe partial class StripedMap<TKey, TValue> : IShmMapOpener<StripedMap<TKey, TValue>, TKey, TValue>
    where TKey : unmanaged, IEquatable<TKey>
    where TValue : unmanaged
{
    private readonly MapRegion _region;
    private readonly StripedLayout _layout;
    private readonly TableDirectory _directory;
    private readonly TableRetirement _retirement;
    private readonly Migration _migration;
    private readonly long _cellMask;
    private readonly long _stripeStride;
    private readonly ulong _seed;
    private readonly ulong _prepared8;
    private readonly LockWordAction _heldHere;
    private ViewCache<StripedView> _views;

    private StripedMap(MapRegion region)
    {
        _region = region;
        _layout = StripedLayout.Open(region);
        if (_layout.CellStride != CellStride)
        {
            ThrowHelper.ThrowCorrupt($"map '{region.Name}': cells of {_layout.CellStride} bytes, not the {CellStride} of these key and value types");
        }
        _directory = _layout.Directory;
        _stripeStride = _layout.StripeStride;
        _cellMask = _layout.CellsPerStripe - 1;
        _seed = region.HashSeed;
        _prepared8 = XxHash3.Prepare8(_seed);
        _heldHere = (word, _) => ThrowHeldHere(_region.Lanes.Current, (byte*)word);
        ulong state = _directory.ReadState();
        _layout.EnsureReserved(state);
        _retirement = new TableRetirement(region, _directory, _layout.GivenBack);
        _views = new ViewCache<StripedView>(_directory, state, _layout.View, static last => StripedView.Closed(last.Newest), _retirement, region.Name);
        _migration = new Migration(this);
        _retirement.OnOpen(state); // and tables no handle reads any more while no writer came by
    }

    /// <summary>The map's name.</summary>
    public string Name => _region.Name;

    /// <summary>The number of entries the map was created for.</summary>
    public long Capacity => _region.Capacity;

    /// <summary>The number of stripes (locks) of the table writes go to now (it doubles at each growth).</summary>
    public long StripeCount => View().Newest.Stripes;

    /// <summary>The number of cells of each stripe: at most this many keys share a stripe (the same in every table).</summary>
    public long CellsPerStripe => _cellMask + 1;

    /// <summary>The number of entries, summed over the writer lanes of all processes.</summary>
    public long Count
    {
        get
        {
            ThrowIfDisposed();
            return _region.Lanes.SumEntryCounts();
        }
    }

    /// <summary>Creates a new map for <paramref name="capacity"/> entries; <see cref="MapExistsException"/> if the name exists.</summary>
    public static StripedMap<TKey, TValue> Create(string name, long capacity, ShmOptions? options = null) =>
        Create(name, capacity, stripeCount: 0, options);

    /// <summary>
    /// Creates a new map for <paramref name="capacity"/> entries in <paramref name="stripeCount"/> stripes (a power
    /// of two; 0: stripes of 64 cells or more). Fewer stripes mean more processes waiting on the same lock. Stripes get
    /// enough cells that <paramref name="capacity"/> random keys overflow none of them but with a chance under one in
    /// a billion (a key probes only within its stripe).
    /// </summary>
    public static StripedMap<TKey, TValue> Create(string name, long capacity, int stripeCount, ShmOptions? options = null) =>
        MapRegion.Create(name, Spec(capacity, stripeCount, options), options).Adopt(static region => new StripedMap<TKey, TValue>(region));

    /// <summary>Opens an existing map; <see cref="LayoutMismatchException"/> if its kind or types differ.</summary>
    public static StripedMap<TKey, TValue> Open(string name, ShmOptions? options = null) =>
        MapRegion.Open(name, Spec(0, 0, options), options).Adopt(static region => new StripedMap<TKey, TValue>(region));

    /// <summary>Opens the map, creating it for <paramref name="capacity"/> entries if it does not exist.</summary>
    public static StripedMap<TKey, TValue> OpenOrCreate(string name, long capacity, ShmOptions? options = null) =>
        MapRegion.OpenOrCreate(name, Spec(capacity, 0, options), options).Adopt(static region => new StripedMap<TKey, TValue>(region));

    /// <summary>Deletes the map's file; false if there was none. Processes that have it open keep using it.</summary>
    public static bool Delete(string name, ShmOptions? options = null) => MapRegion.Delete(name, options);

    /// <summary>The value of <paramref name="key"/>; <see cref="KeyNotFoundException"/> on get if absent; set is <see cref="Insert"/>.</summary>
    public TValue this[TKey key]
    {
        get
        {
            if (!TryGetValue(key, out TValue value))
            {
                ThrowHelper.ThrowKeyNotFound(key);
            }
            return value;
        }
        set => Insert(key, value);
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public TValue? Get(TKey key) => TryGetValue(key, out TValue value) ? value : null;

    /// <summary>True if the map holds <paramref name="key"/>.</summary>
    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    /// <summary>
    /// Looks <paramref name="key"/> up without taking the stripe's lock: reads the stripe, then checks that its
    /// lock word (version and lock bit) did not change meanwhile, else reads again. A stripe locked by a dead
    /// process is recovered first; one held by a live process is waited for (up to <see cref="ShmOptions.LockTimeout"/>).
    /// </summary>
    /// <remarks>
    /// If this process's view names one table, the key's stripe there answers without the state word when it was read
    /// whole and not moved: no write of its keys lands in the next table before its mover sets the flag under its lock,
    /// so the stripe held every key of its own when read. A miss in a stripe whose word is zero (never written, or
    /// given back: bytes given back read as zero, never a key) tells nothing. Every other lookup reads the state word
    /// first and uses the tables it names; a key not found is believed only if the state word is unchanged after. A
    /// disposed handle's view names no steady table, so its lookups take that slow path, which throws.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(TKey key, out TValue value)
    {
        ulong hash = Hash(key);
        StripedView view = _views.Cached;
        if (view.Older is null)
        {
            bool found = ReadStripe(view.Stripes + ((long)(hash & (ulong)view.StripeMask) * _stripeStride), hash, key, out value, out bool current);
            if (current)
            {
                return found;
            }
        }
        // The slow path takes the key and returns the value by value, so that neither has to live in memory here.
        (bool inSlow, value) = TryGetSlow(hash, key);
        return inSlow;
    }

    /// <summary>A lookup during a migration, or after the map grew past this process's view.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (bool Found, TValue Value) TryGetSlow(ulong hash, TKey key)
    {
        ThrowIfDisposed();
        while (true)
        {
            StripedView view = View();
            bool found = view.Older is null
                ? ReadStripe(view.Newest.Stripe(view.Newest.StripeIndexOf(hash)), hash, key, out TValue value, out _)
                : FindMigrating(view, hash, key, out value);
            if (found || _directory.ReadState() == view.State)
            {
                return (found, value);
            }
        }
    }

    /// <summary>
    /// Looks a key up in one stripe, reading it again until its lock word is the same before and after;
    /// <paramref name="current"/> if the stripe, so read, was not moved, and has been written or holds the key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ReadStripe(byte* stripe, ulong hash, in TKey key, out TValue value, out bool current)
    {
        while (true)
        {
            ulong before = SharedMemory.ReadAcquire((ulong*)stripe);
            if (LockWord.IsLocked(before))
            {
                before = WaitForStripe(stripe, before);
            }
            byte* cell = Find(stripe, hash, key);
            value = cell is null ? default : ValueAt(cell);
            bool moved = *(ulong*)(stripe + StripedLayout.MovedOffset) != 0;
            SharedMemory.LoadLoadBarrier();
            if (SharedMemory.ReadAcquire((ulong*)stripe) == before)
            {
                current = !moved && (cell is not null || before != 0);
                return cell is not null;
            }
        }
    }

    /// <summary>Closes this handle; the file stays for other processes. No operation may be running on it.</summary>
    public void Dispose()
    {
        _views.Close();
        _region.Dispose();
    }

    /// <summary>The open region (for inspection and white-box tests).</summary>
    internal MapRegion Region => _region;

    /// <summary>The stripe size in bytes.</summary>
    internal long StripeStride => _stripeStride;

    /// <summary>The cell size: a constant of each instantiation.</summary>
    internal static int CellStride
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => StripedLayout.CellStrideOf(Unsafe.SizeOf<TKey>(), Unsafe.SizeOf<TValue>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_views.IsClosed)
        {
            ThrowHelper.ThrowDisposed(Name);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Hash(in TKey key) => KeyBytes<TKey>.Hash(key, _seed, _prepared8);

    /// <summary>The index of <paramref name="key"/>'s stripe in <paramref name="table"/> (for a <see cref="KeyLock{TKey,TValue}"/>).</summary>
    internal long StripeIndexOf(StripeTable table, in TKey key) => table.StripeIndexOf(Hash(key));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* CellAt(byte* stripe, long index) => stripe + StripedLayout.CellsOffset + (index * CellStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint StateAt(byte* cell) => *(uint*)cell;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TKey KeyAt(byte* cell) => Unsafe.ReadUnaligned<TKey>(cell + StripedLayout.KeyOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TValue ValueAt(byte* cell) => Unsafe.ReadUnaligned<TValue>(cell + StripedLayout.KeyOffset + Unsafe.SizeOf<TKey>());

    /// <summary>
    /// The cell of <paramref name="stripe"/> holding <paramref name="key"/>, or null: probes from the key's home
    /// cell, over removed cells, up to the first empty one. Reads at most the stripe's cells, whatever they hold.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Find(byte* stripe, ulong hash, in TKey key)
    {
        long home = (long)(hash >> 32) & _cellMask;
        for (long i = 0; i <= _cellMask; i++)
        {
            byte* cell = CellAt(stripe, (home + i) & _cellMask);
            uint state = StateAt(cell);
            if (state == StripedLayout.Empty)
            {
                return null;
            }
            if (state == StripedLayout.Occupied && KeyBytes<TKey>.Equal(KeyAt(cell), key))
            {
                return cell;
            }
        }
        return null;
    }

    /// <summary>Waits for a locked stripe (recovering a dead holder); refuses to wait for this thread's own <see cref="KeyLock{TKey,TValue}"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong WaitForStripe(byte* stripe, ulong seen) => LockWaiter.WaitUnlocked(_region.Lanes, (ulong*)stripe, seen, heldHere: _heldHere);

    /// <summary>
    /// A stripe whose word names this thread's lane: a KeyLock of this thread holds it (waiting would wait for
    /// ourselves: <see cref="InvalidOperationException"/>); if none does, the waiter reports the file damaged.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowHeldHere(Lane lane, byte* stripe)
    {
        if (!ScopedStripes.Holds(lane, (nint)stripe))
        {
            return;
        }
        throw new InvalidOperationException(
            $"map '{Name}': the key's stripe is locked by a KeyLock of this thread; use that KeyLock for keys it holds, or dispose it first");
    }

    private static RegionSpec Spec(long capacity, int stripeCount, ShmOptions? options)
    {
        KeyBytes<TKey>.EnsureNoPadding();
        return StripedLayout.Spec(capacity, stripeCount, options?.MaxLoad, options?.MaxCapacity, Unsafe.SizeOf<TKey>(), Unsafe.SizeOf<TValue>(),
            TypeLayout.NameOf<TKey>(), TypeLayout.NameOf<TValue>());
    }
}
