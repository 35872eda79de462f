using System.Reflection;

namespace ShmMaps.Keys;

/// <summary>What a type's bytes hold: its name as recorded in map headers, and the bytes its fields cover.</summary>
internal static class TypeLayout
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, string> s_names = new();

    /// <summary>The name a header records for <typeparamref name="T"/> (its full name, or the one <see cref="NameAs"/> gave it).</summary>
    public static string NameOf<T>() => s_names.TryGetValue(typeof(T), out string? name) ? name : typeof(T).FullName ?? typeof(T).Name;

    /// <summary>Makes headers name <paramref name="type"/> (a stand-in made at run time) <paramref name="name"/>: the type it stands in for.</summary>
    public static void NameAs(Type type, string name) => s_names[type] = name;

    /// <summary>The number of bytes covered by the fields of <paramref name="type"/>, padding excluded.</summary>
    public static int PayloadSize(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type.IsPointer)
        {
            return SizeOf(type);
        }
        var inlineArray = type.GetCustomAttribute<InlineArrayAttribute>();
        FieldInfo[] fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        if (inlineArray is not null)
        {
            return inlineArray.Length * PayloadSize(fields[0].FieldType);
        }
        int total = 0;
        foreach (FieldInfo field in fields)
        {
            var fixedBuffer = field.GetCustomAttribute<FixedBufferAttribute>();
            total += fixedBuffer is not null ? fixedBuffer.Length * SizeOf(fixedBuffer.ElementType) : PayloadSize(field.FieldType);
        }
        return total;
    }

    private static int SizeOf(Type type) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
}
