namespace ShmMaps.Tests.Support;

/// <summary>A 32-byte value that is whole only when its four words agree: a torn write shows.</summary>
public readonly record struct Whole4(long A, long B, long C, long D)
{
    public static Whole4 Of(long value) => new(value, ~value, value * 31, value ^ 0x5A5A5A5A5A5A5A5AL);

    /// <summary>Writes <paramref name="value"/> over <paramref name="target"/> one word at a time, the first <paramref name="words"/> words only.</summary>
    public static void WriteWordByWord(ref Whole4 target, Whole4 value, int words = 4)
    {
        ref long field = ref System.Runtime.CompilerServices.Unsafe.As<Whole4, long>(ref target);
        long[] source = [value.A, value.B, value.C, value.D];
        for (int i = 0; i < words; i++)
        {
            System.Runtime.CompilerServices.Unsafe.Add(ref field, i) = source[i];
        }
    }

    public bool IsWhole => B == ~A && C == A * 31 && D == (A ^ 0x5A5A5A5A5A5A5A5AL);
}
