using System.Globalization;

namespace ShmMaps.Inspection;

/// <summary>
/// The key and value types <c>shm get/set/rm</c> turn text into, by the type name a header records: integers, floats,
/// bool, char, Guid, <see cref="FixedString32"/>; any other as the hex of its bytes (<see cref="RawTypes"/>).
/// </summary>
internal static class TypeCatalog
{
    private static readonly Dictionary<string, Type> s_types = new(StringComparer.Ordinal)
    {
        ["System.SByte"] = typeof(sbyte),
        ["System.Byte"] = typeof(byte),
        ["System.Int16"] = typeof(short),
        ["System.UInt16"] = typeof(ushort),
        ["System.Int32"] = typeof(int),
        ["System.UInt32"] = typeof(uint),
        ["System.Int64"] = typeof(long),
        ["System.UInt64"] = typeof(ulong),
        ["System.Single"] = typeof(float),
        ["System.Double"] = typeof(double),
        ["System.Boolean"] = typeof(bool),
        ["System.Char"] = typeof(char),
        ["System.Guid"] = typeof(Guid),
        ["ShmMaps.FixedString32"] = typeof(FixedString32),
    };

    /// <summary>The short names <c>shm create</c> takes, and the header names they stand for.</summary>
    private static readonly Dictionary<string, string> s_shortNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sbyte"] = "System.SByte",
        ["byte"] = "System.Byte",
        ["short"] = "System.Int16",
        ["ushort"] = "System.UInt16",
        ["int"] = "System.Int32",
        ["uint"] = "System.UInt32",
        ["long"] = "System.Int64",
        ["ulong"] = "System.UInt64",
        ["float"] = "System.Single",
        ["double"] = "System.Double",
        ["bool"] = "System.Boolean",
        ["char"] = "System.Char",
        ["guid"] = "System.Guid",
        ["string32"] = "ShmMaps.FixedString32",
    };

    /// <summary>The types <c>shm create --key/--value</c> takes, by their short names.</summary>
    public static IEnumerable<string> ShortNames => s_shortNames.Keys;

    /// <summary>
    /// The header name and size of the type <paramref name="name"/> names: a short name (<c>long</c>, <c>double</c>,
    /// <c>string32</c>, ...) or a full one (<c>System.Int64</c>); <see cref="FormatException"/> listing them otherwise.
    /// </summary>
    public static (string TypeName, int Size) Named(string name)
    {
        string typeName = s_shortNames.GetValueOrDefault(name, name);
        if (!s_types.TryGetValue(typeName, out Type? type))
        {
            throw new FormatException($"'{name}' is not a type shm knows; use one of {string.Join(", ", ShortNames)} (or their full .NET names)");
        }
        int size = (int)typeof(System.Runtime.CompilerServices.Unsafe).GetMethod(nameof(System.Runtime.CompilerServices.Unsafe.SizeOf))!
            .MakeGenericMethod(type).Invoke(null, null)!;
        return (typeName, size);
    }

    /// <summary>
    /// The type a header's <paramref name="typeName"/> of <paramref name="size"/> bytes names: the catalog's, else a
    /// stand-in of that size whose values are written as hex (<see cref="RawTypes"/>).
    /// </summary>
    public static Type Resolve(string typeName, int size) =>
        s_types.TryGetValue(typeName, out Type? type) ? type : RawTypes.For(typeName, size);

    /// <summary><paramref name="text"/> as a <typeparamref name="T"/> (invariant culture); <see cref="FormatException"/> naming the type otherwise.</summary>
    public static T Parse<T>(string text, string role)
    {
        const NumberStyles integer = NumberStyles.Integer;
        const NumberStyles real = NumberStyles.Float;
        CultureInfo c = CultureInfo.InvariantCulture;
        try
        {
            object value = Type.GetTypeCode(typeof(T)) switch
            {
                TypeCode.SByte => sbyte.Parse(text, integer, c),
                TypeCode.Byte => byte.Parse(text, integer, c),
                TypeCode.Int16 => short.Parse(text, integer, c),
                TypeCode.UInt16 => ushort.Parse(text, integer, c),
                TypeCode.Int32 => int.Parse(text, integer, c),
                TypeCode.UInt32 => uint.Parse(text, integer, c),
                TypeCode.Int64 => long.Parse(text, integer, c),
                TypeCode.UInt64 => ulong.Parse(text, integer, c),
                TypeCode.Single => float.Parse(text, real, c),
                TypeCode.Double => double.Parse(text, real, c),
                TypeCode.Boolean => bool.Parse(text),
                TypeCode.String => text,
                TypeCode.Char => text.Length == 1 ? text[0] : throw new FormatException("it is not one character"),
                _ when typeof(T) == typeof(Guid) => Guid.Parse(text),
                _ when typeof(T) == typeof(FixedString32) => new FixedString32(text),
                _ when RawTypes.IsRaw(typeof(T)) => RawTypes.Parse<T>(text)!,
                _ => throw new NotSupportedException($"shm cannot parse a {typeof(T)}"),
            };
            return (T)value;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"{role} '{text}' is not a {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>A value as <c>shm</c> prints it (as <c>shm dump</c> does: hex for a stand-in).</summary>
    public static string Format<T>(T value) => RawTypes.IsRaw(typeof(T)) ? RawTypes.Format(value) : value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };
}
