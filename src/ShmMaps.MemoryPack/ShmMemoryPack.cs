using MemoryPack;

namespace ShmMaps.MemoryPack;

/// <summary>MemoryPack serializers for a <see cref="ShmDictionary{TKey, TValue}"/>.</summary>
/// <example>
/// <code>
/// using var quotes = ShmDictionary&lt;string, Quote&gt;.OpenOrCreate("quotes", 10_000, serializer: ShmMemoryPack.Serializer&lt;Quote&gt;());
/// [MemoryPackable] public sealed partial record Quote(string Symbol, decimal Price);
/// </code>
/// </example>
public static class ShmMemoryPack
{
    /// <summary>
    /// Values of <typeparamref name="T"/> (a <c>[MemoryPackable]</c> type, or one MemoryPack has a formatter of) in
    /// MemoryPack's format; <see cref="ArgumentException"/> if MemoryPack has no formatter of it. Every process of a map
    /// must use the same type's layout: MemoryPack's version tolerance is the type's own (<c>GenerateType.VersionTolerant</c>).
    /// </summary>
    public static IShmSerializer<T> Serializer<T>(MemoryPackSerializerOptions? options = null)
    {
        // A [MemoryPackable] type registers its formatter in its static constructor.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(T).TypeHandle);
        if (!MemoryPackFormatterProvider.IsRegistered<T>())
        {
            throw new ArgumentException($"MemoryPack has no formatter of {typeof(T).Name}: mark it [MemoryPackable] (and partial)");
        }
        return new MemoryPackShmSerializer<T>(options ?? MemoryPackSerializerOptions.Default);
    }
}
