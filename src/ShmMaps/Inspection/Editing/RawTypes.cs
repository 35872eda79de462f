using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.InteropServices;

namespace ShmMaps.Inspection.Editing;

/// <summary>
/// Stand-ins for key and value types this process does not have (a user's struct, named in a map's header): a struct
/// of the same size made at run time, <c>[InlineArray(size)]</c> of bytes, recorded under the header's type name so that
/// the map opens with it. What <c>shm</c> reads and writes as hex.
/// </summary>
internal static class RawTypes
{
    private static readonly ModuleBuilder s_module =
        AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("ShmMaps.RawTypes"), AssemblyBuilderAccess.Run).DefineDynamicModule("ShmMaps.RawTypes");

    private static readonly ConcurrentDictionary<(string Name, int Size), Type> s_types = new();
    private static readonly ConcurrentDictionary<Type, int> s_sizes = new();

    /// <summary>The largest stand-in: a value shm reads and writes as hex is copied on the stack.</summary>
    public const int MaxSize = 4096;

    /// <summary>
    /// The stand-in for the type a header names <paramref name="typeName"/>, of <paramref name="size"/> bytes;
    /// <see cref="NotSupportedException"/> for a size of 0 or past <see cref="MaxSize"/> (a damaged header, or a type too large to print).
    /// </summary>
    public static Type For(string typeName, int size) => size is < 1 or > MaxSize
        ? throw new NotSupportedException($"shm reads and writes types of 1 to {MaxSize:N0} bytes; the map's type '{typeName}' is {size:N0}")
        : s_types.GetOrAdd((typeName, size), static key =>
    {
        Type type = Define(key.Size, s_types.Count);
        s_sizes[type] = key.Size;
        TypeLayout.NameAs(type, key.Name);
        return type;
    });

    /// <summary>Whether <paramref name="type"/> is a stand-in (its values are written as hex).</summary>
    public static bool IsRaw(Type type) => s_sizes.ContainsKey(type);

    /// <summary>A stand-in's value from its hex bytes (<c>0x</c> optional); <see cref="FormatException"/> if they are not its size.</summary>
    public static T Parse<T>(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex);
        return bytes.Length == Unsafe.SizeOf<T>()
            ? Unsafe.ReadUnaligned<T>(ref bytes[0])
            : throw new FormatException($"it is {bytes.Length} bytes of hex, the type is {Unsafe.SizeOf<T>()}");
    }

    /// <summary>A stand-in's value as hex, as <c>shm dump</c> writes it.</summary>
    public static string Format<T>(T value) =>
        "0x" + Convert.ToHexString(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref value), Unsafe.SizeOf<T>()));

    /// <summary>
    /// <c>[InlineArray(size)] struct RawN : IEquatable&lt;RawN&gt; { byte _element; bool Equals(RawN other) => bytes equal }</c>.
    /// </summary>
    private static Type Define(int size, int number)
    {
        TypeBuilder type = s_module.DefineType($"ShmMaps.RawTypes.Raw{size}_{number}",
            TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.SequentialLayout, typeof(ValueType));
        type.SetCustomAttribute(new CustomAttributeBuilder(typeof(InlineArrayAttribute).GetConstructor([typeof(int)])!, [size]));
        type.DefineField("_element", typeof(byte), FieldAttributes.Private);
        Type equatable = typeof(IEquatable<>).MakeGenericType(type);
        type.AddInterfaceImplementation(equatable);
        MethodBuilder equals = type.DefineMethod(nameof(IEquatable<int>.Equals),
            MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot,
            typeof(bool), [type]);
        MethodInfo asBytes = typeof(Unsafe).GetMethods().Single(m => m.Name == nameof(Unsafe.As) && m.GetGenericArguments().Length == 2)
            .MakeGenericMethod(type, typeof(byte));
        MethodInfo span = typeof(MemoryMarshal).GetMethod(nameof(MemoryMarshal.CreateReadOnlySpan))!.MakeGenericMethod(typeof(byte));
        MethodInfo sequenceEqual = typeof(MemoryExtensions).GetMethods()
            .Single(m => m.Name == nameof(MemoryExtensions.SequenceEqual) && m.GetParameters().Length == 2
                && m.GetParameters()[0].ParameterType.IsGenericType && m.GetParameters()[0].ParameterType.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>))
            .MakeGenericMethod(typeof(byte));
        ILGenerator il = equals.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, asBytes);
        il.Emit(OpCodes.Ldc_I4, size);
        il.Emit(OpCodes.Call, span);
        il.Emit(OpCodes.Ldarga_S, (byte)1);
        il.Emit(OpCodes.Call, asBytes);
        il.Emit(OpCodes.Ldc_I4, size);
        il.Emit(OpCodes.Call, span);
        il.Emit(OpCodes.Call, sequenceEqual);
        il.Emit(OpCodes.Ret);
        type.DefineMethodOverride(equals, TypeBuilder.GetMethod(equatable, typeof(IEquatable<>).GetMethod(nameof(IEquatable<int>.Equals))!));
        return type.CreateType();
    }
}
