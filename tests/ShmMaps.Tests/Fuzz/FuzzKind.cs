namespace ShmMaps.Tests.Fuzz;

/// <summary>
/// One map kind as the hostile-file fuzzer uses it: a small template map with content, and everything a user does
/// with a map of that kind, run against a damaged copy of it.
/// </summary>
public abstract class FuzzKind
{
    /// <summary>The options templates are made and damaged copies used with: few lanes and slots (every one is hit
    /// often), and a short lock timeout (a lock that names a live owner ends in a <see cref="TimeoutException"/>). No
    /// cap on growth: a damaged count or state must not make a map grow into what its file cannot account for.</summary>
    public static ShmOptions OptionsFor(string directory) => new()
    {
        Directory = directory,
        WriterLanes = 4,
        ReaderSlots = 4,
        LocksPerThread = 4,
        LockTimeout = TimeSpan.FromMilliseconds(100),
    };

    public static IReadOnlyList<FuzzKind> All { get; } =
    [
        new SeqMapFuzz(), new SeqArrayFuzz(), new SeqVecFuzz(), new FolkloreFuzz(), new StripedFuzz(), new LeftRightFuzz(), new RwStoreFuzz(), new BlobFuzz(),
    ];

    public static FuzzKind Named(string name) => All.Single(kind => kind.Name == name);

    public abstract string Name { get; }

    /// <summary>A key of the template, as <c>shm get</c> takes it.</summary>
    public virtual string SomeKey => "3";

    /// <summary>Creates the template map <paramref name="name"/> with some entries.</summary>
    public abstract void CreateTemplate(string name, ShmOptions options);

    /// <summary>Opens map <paramref name="name"/> and uses it every way a user does; each step goes through <paramref name="step"/>.</summary>
    public abstract void Exercise(string name, ShmOptions options, FuzzSteps step);

    /// <summary>Indexes a caller may ask for around and far past <paramref name="count"/> (each answered "none", never a fault).</summary>
    protected static long[] OutOfRange(long count) =>
        [count, count + 1, count + 4096, -1, long.MaxValue, long.MinValue, 1L << 31, 1L << 40, uint.MaxValue];
}
