using System.Buffers;

namespace ShmMaps.Hosting;

/// <summary>A whole row as one JSON object of its columns (<see cref="RowJson"/>): a <see cref="BlobMap"/> replica's value.</summary>
/// <param name="columns">The object's columns, in order; null: every column of the table.</param>
internal sealed class RowObjectShape(string[]? columns) : RowShape<byte[]>
{
    public override IReadOnlyList<string>? Columns => columns;

    public override RowValue<byte[]> ValueOf(IReadOnlyList<RowColumn> columns, IReadOnlyList<string?> texts)
    {
        var json = new ArrayBufferWriter<byte>(256);
        RowJson.Write(json, columns, texts);
        return RowValue<byte[]>.Of(json.WrittenSpan.ToArray());
    }
}
