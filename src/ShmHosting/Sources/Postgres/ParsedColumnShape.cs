using System.Globalization;

namespace ShmMaps.Hosting;

/// <summary>One column parsed as a number (a <see cref="LeftRightMap"/> replica's value); NULL removes the key.</summary>
internal sealed class ParsedColumnShape<TValue>(string column) : RowShape<TValue>
    where TValue : ISpanParsable<TValue>
{
    public override IReadOnlyList<string> Columns { get; } = [column];

    public override RowValue<TValue> ValueOf(IReadOnlyList<RowColumn> columns, IReadOnlyList<string?> texts) => texts[0] switch
    {
        null => RowValue<TValue>.Removal,
        string text when TValue.TryParse(text, CultureInfo.InvariantCulture, out TValue? value) => RowValue<TValue>.Of(value),
        string text => RowValue<TValue>.Refused($"value '{text}' is not a {typeof(TValue).Name}"),
    };
}
