namespace ShmMaps.Hosting;

/// <summary>A schema-qualified table name, as a replica names and quotes it.</summary>
internal sealed record PostgresTable(string Schema, string Name)
{
    /// <summary>The name quoted for SQL.</summary>
    public string Quoted => $"{Quote(Schema)}.{Quote(Name)}";

    /// <summary><paramref name="table"/>, or <c>public.</c><paramref name="table"/> if it names no schema.</summary>
    public static PostgresTable Parse(string table)
    {
        int dot = table.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new PostgresTable("public", table) : new PostgresTable(table[..dot], table[(dot + 1)..]);
    }

    /// <summary>An identifier quoted for SQL.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public bool Is(string schema, string name) => schema == Schema && name == Name;

    public override string ToString() => $"{Schema}.{Name}";
}
