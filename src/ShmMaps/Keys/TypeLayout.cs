using System.Reflection;
using System.Runtime.CompilerServices;

namespace ShmMaps.Keys;

/// <summary>What a type's bytes hold: its name as recorded in map headers, and the bytes its fields cover.</summary>
internal static class TypeLayout
{
    /// <summary>The name a header records for <typeparamref name="T"/> (its full name).</summary>
    public static string NameOf<T>() => typeof(T).FullName ?? typeof(T).Name;

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
