using System.Diagnostics.CodeAnalysis;

namespace ShmMaps;

/// <summary>Throw sites kept out of hot paths so that the callers stay small and inlinable.</summary>
internal static class ThrowHelper
{
    /// <summary>Throws <see cref="CorruptMapException"/>.</summary>
    [DoesNotReturn]
    public static void ThrowCorrupt(string message) => throw new CorruptMapException(message);

    /// <summary>Throws <see cref="MapFullException"/> for a map.</summary>
    [DoesNotReturn]
    public static void ThrowMapFull(string name, long capacity) =>
        throw new MapFullException($"map '{name}' has no free cell left (capacity {capacity}); remove entries or create a larger map");

    /// <summary>Throws <see cref="MapFullException"/> with the reason in words.</summary>
    [DoesNotReturn]
    public static void ThrowMapFull(string message) => throw new MapFullException(message);

    /// <summary>Throws <see cref="ObjectDisposedException"/>.</summary>
    [DoesNotReturn]
    public static void ThrowDisposed(string name) => throw new ObjectDisposedException($"map '{name}'");

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an index.</summary>
    [DoesNotReturn]
    public static void ThrowIndex(long index, long length) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {length})");

    /// <summary>Throws <see cref="KeyNotFoundException"/>.</summary>
    [DoesNotReturn]
    public static void ThrowKeyNotFound<TKey>(TKey key) => throw new KeyNotFoundException($"key '{key}' is not in the map");
}
