using System.Buffers;
using System.Runtime.InteropServices;

namespace ShmMaps.Blob;

/// <summary>
/// A value of a type without references as its bytes in memory (processes of one host share its byte order): exactly
/// <c>sizeof(T)</c> bytes, no more and no less.
/// </summary>
internal sealed class UnmanagedSerializer<T> : IShmSerializer<T>
{
    public UnmanagedSerializer()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            throw new ArgumentException($"{typeof(T).Name} holds references, so its bytes are not its value; give it a serializer");
        }
    }

    public void Serialize(T value, IBufferWriter<byte> destination)
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> span = destination.GetSpan(size);
        Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(span), value);
        destination.Advance(size);
    }

    public T Deserialize(ReadOnlySpan<byte> source)
    {
        if (source.Length != Unsafe.SizeOf<T>())
        {
            throw new FormatException($"a value of {source.Length} bytes is not a {typeof(T).Name}, which takes {Unsafe.SizeOf<T>()}");
        }
        return Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(source));
    }
}
