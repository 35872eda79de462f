namespace ShmMaps.Tests.Support;

/// <summary>A 32-byte value that is whole only when its four words agree: a torn write shows.</summary>
public readonly record struct Whole4(long A, long B, long C, long D)
{
    public static Whole4 Of(long value) => new(value, ~value, value * 31, value ^ 0x5A5A5A5A5A5A5A5AL);

    public bool IsWhole => B == ~A && C == A * 31 && D == (A ^ 0x5A5A5A5A5A5A5A5AL);
}
