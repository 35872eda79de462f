namespace ShmMaps.Hosting;

/// <summary>One column as a <see cref="BlobMap"/> value's bytes, in <see cref="BlobValueFormat"/>; NULL removes the key.</summary>
internal sealed class BlobColumnShape(string column, BlobValueFormat format) : RowShape<byte[]>
{
    public override IReadOnlyList<string> Columns { get; } = [column];

    public override RowValue<byte[]> ValueOf(IReadOnlyList<RowColumn> columns, IReadOnlyList<string?> texts)
    {
        if (texts[0] is not { } text)
        {
            return RowValue<byte[]>.Removal;
        }
        try
        {
            // bytea's output is "\x" and hex digits (bytea_output = hex, the default since PostgreSQL 9.0).
            return format == BlobValueFormat.Bytes && columns[0].TypeOid == PgType.Bytea && text.StartsWith(@"\x", StringComparison.Ordinal)
                ? RowValue<byte[]>.Of(Convert.FromHexString(text.AsSpan(2)))
                : RowValue<byte[]>.Of(BlobValueFormats.ToBytes(text, format));
        }
        catch (FormatException e)
        {
            return RowValue<byte[]>.Refused($"column '{column}': {e.Message}");
        }
    }
}
