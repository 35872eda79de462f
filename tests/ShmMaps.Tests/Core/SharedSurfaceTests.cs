using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Core;

/// <summary>The keyed kinds through the surface they share (<see cref="IShmMapOpener{TSelf,TKey,TValue}"/>): one generic test, every kind.</summary>
public sealed class SharedSurfaceTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SeqMapThroughTheSharedSurface() => Exercise<SeqMap<long, int>, long>(i => i);

    [Fact]
    public void StripedMapThroughTheSharedSurface() => Exercise<StripedMap<long, int>, long>(i => i);

    [Fact]
    public void FolkloreMapThroughTheSharedSurface() => Exercise<FolkloreMap<int>, string>(i => $"key-{i}");

    private void Exercise<TMap, TKey>(Func<int, TKey> key)
        where TMap : IShmMapOpener<TMap, TKey, int>
    {
        using (TMap created = TMap.Create("surface", 16, _dir.Options))
        {
            for (int i = 0; i < 100; i++)
            {
                created.Insert(key(i), i); // past the capacity: every kind grows
            }
            created[key(7)] = 70;
        }
        Assert.Throws<MapExistsException>(() => TMap.Create("surface", 16, _dir.Options));
        using (TMap map = TMap.OpenOrCreate("surface", 16, _dir.Options))
        {
            using TMap other = TMap.Open("surface", _dir.Options);
            Assert.Equal("surface", map.Name);
            Assert.Equal(100, other.Count);
            Assert.Equal(70, other[key(7)]);
            Assert.Equal(3, other.Get(key(3)));
            Assert.Null(other.Get(key(1000)));
            Assert.True(map.TryRemove(key(3), out int removed) && removed == 3);
            Assert.False(other.ContainsKey(key(3)));
            Assert.False(other.TryGetValue(key(3), out _));
            Assert.Throws<KeyNotFoundException>(() => other[key(3)]);
            Assert.Equal(99, other.Count());
        }
        TMap closed = TMap.Open("surface", _dir.Options);
        closed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => closed.TryGetValue(key(1), out _));
        Assert.Throws<ObjectDisposedException>(() => closed.Insert(key(1), 1));
        Assert.Throws<ObjectDisposedException>(() => closed.TryRemove(key(1), out _));
        Assert.Throws<ObjectDisposedException>(() => closed.Count());
        Assert.True(TMap.Delete("surface", _dir.Options));
        Assert.Throws<MapNotFoundException>(() => TMap.Open("surface", _dir.Options));
    }
}
