namespace ShmMaps.Hosting;

/// <summary>What a row makes of its key (<see cref="RowShape{TValue}.ValueOf"/>): a value, a removal, or nothing (and why).</summary>
internal readonly record struct RowValue<TValue>(TValue Value, bool Removes, string? Refusal)
{
    public static RowValue<TValue> Of(TValue value) => new(value, false, null);

    public static RowValue<TValue> Removal => new(default!, true, null);

    public static RowValue<TValue> Refused(string why) => new(default!, false, why);
}
