namespace ShmMaps.Hosting;

/// <summary>A column of a replicated row: its name and its type (the <c>pg_type</c> OID the relation message gives).</summary>
internal readonly record struct RowColumn(string Name, uint TypeOid);
