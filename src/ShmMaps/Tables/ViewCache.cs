namespace ShmMaps.Tables;

/// <summary>
/// A handle's view of its growing map's tables (a <see cref="TableView"/>), built again when the directory's state
/// word moves, and closed when the handle is disposed: one for every kind that grows by tables.
/// </summary>
/// <remarks>
/// A mutable struct held in a field of the map and used through that field only, so that a lookup reaches the view
/// with no hop to another object. It keeps only what every operation reads (the view, the state word's address, the
/// closed flag) and one reference to what a refresh needs, so that the map's hot fields stay within a cache line or
/// two. Closing puts in a view that no state word equals and that names no steady table, so no lookup's straight path
/// takes it and every slow path throws; a <see cref="Refresh"/> racing the close either is replaced by the closed view
/// or sees the flag and puts the closed view back.
/// </remarks>
internal unsafe struct ViewCache<TView>
    where TView : TableView
{
    private readonly ulong* _state;
    private readonly Builder _builder;
    private TView _view;
    private volatile bool _isClosed;

    /// <summary>
    /// The view of <paramref name="state"/>, built by <paramref name="build"/>; <paramref name="closed"/> makes the
    /// closed view from the last one; <paramref name="retirement"/> hears of every new view.
    /// </summary>
    public ViewCache(TableDirectory directory, ulong state, Func<ulong, TView> build, Func<TView, TView> closed, TableRetirement retirement, string name)
    {
        _state = directory.State;
        _builder = new Builder(build, closed, retirement, name);
        _view = build(state);
    }

    /// <summary>The view as last built, without a look at the state word (a lookup's straight path checks what it needs).</summary>
    public readonly TView Cached
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _view;
    }

    /// <summary>Whether the handle was disposed.</summary>
    public readonly bool IsClosed
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _isClosed;
    }

    /// <summary>The tables the state word names now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TView Current()
    {
        ulong state = SharedMemory.ReadAcquire(_state);
        TView view = _view;
        return view.State == state ? view : Refresh(state);
    }

    /// <summary>Builds the view of <paramref name="state"/> and keeps it; <see cref="ObjectDisposedException"/> once closed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public TView Refresh(ulong state)
    {
        if (_isClosed)
        {
            ThrowHelper.ThrowDisposed(_builder.Name);
        }
        TView view = _builder.Build(state);
        // A full fence between the store and the flag's load: a Close meanwhile either comes after (its closed view
        // replaces this one) or is seen here, and the closed view put back.
        Interlocked.Exchange(ref _view, view);
        if (_isClosed)
        {
            _view = _builder.Closed(view);
            ThrowHelper.ThrowDisposed(_builder.Name);
        }
        _builder.Retirement.OnView(state);
        return view;
    }

    /// <summary>Closes the view: from now on every operation but a finished one throws <see cref="ObjectDisposedException"/>.</summary>
    public void Close()
    {
        _isClosed = true;
        // Release: a Refresh that replaces this view (an exchange) sees the flag after.
        Volatile.Write(ref _view, _builder.Closed(_view));
    }

    /// <summary>What only a refresh or the close needs, out of the map's hot fields.</summary>
    private sealed record Builder(Func<ulong, TView> Build, Func<TView, TView> Closed, TableRetirement Retirement, string Name);
}
