using System.Text;

namespace ShmMaps.Hosting;

/// <summary>
/// Which PostgreSQL table a replica follows through a logical replication slot, bound from
/// <c>ShmMaps:Maps:NAME:Postgres</c>: a key column and a value column of one table
/// (<see cref="PostgresChangeSource{TKey, TValue}"/>, <see cref="PostgresBlobChangeSource"/>), or a key column and whole
/// rows as JSON objects (<see cref="Row"/>: a <see cref="BlobMap"/>'s).
/// </summary>
/// <example>
/// <code>
/// "Postgres": { "ConnectionString": "Host=db;Username=replica;Database=app", "Table": "prices",
///               "KeyColumn": "symbol", "ValueColumn": "price" }
/// "Postgres": { "ConnectionString": "Host=db;Username=replica;Database=app", "Table": "prices",
///               "KeyColumn": "symbol", "Row": true, "Columns": [ "symbol", "price", "at" ] }
/// </code>
/// </example>
public sealed class PostgresSourceSettings
{
    /// <summary>The server and database (an Npgsql connection string); the role needs REPLICATION and SELECT on the table.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table, optionally schema-qualified (<c>public.prices</c>).</summary>
    public string? Table { get; set; }

    /// <summary>The key column: an integer type for long keys, text for string keys. It must be the table's replica identity (its primary key).</summary>
    public string? KeyColumn { get; set; }

    /// <summary>
    /// The value column: a number for a <see cref="LeftRightMap"/>'s replica, any column for a <see cref="BlobMap"/>'s (as
    /// <see cref="ValueFormat"/> says). A NULL value removes the key. Not with <see cref="Row"/>.
    /// </summary>
    public string? ValueColumn { get; set; }

    /// <summary>
    /// How a <see cref="BlobMap"/> replica stores <see cref="ValueColumn"/>: <see cref="BlobValueFormat.String"/> its text
    /// as UTF-8, <see cref="BlobValueFormat.Json"/> its text checked to be JSON (a <c>json</c> or <c>jsonb</c> column as it
    /// is), <see cref="BlobValueFormat.Bytes"/> a <c>bytea</c> column's bytes (any other column's text is read as base64).
    /// </summary>
    public BlobValueFormat ValueFormat { get; set; } = BlobValueFormat.String;

    /// <summary>
    /// Store each row as one JSON object of its columns (a <see cref="BlobMap"/>'s replica): every column in the table's
    /// order, or those <see cref="Columns"/> names, in its order. A row is never removed for a NULL in it.
    /// </summary>
    public bool Row { get; set; }

    /// <summary>With <see cref="Row"/>: the columns of the object, in order (null: all of the table's).</summary>
    public string[]? Columns { get; set; }

    /// <summary>The replication slot (null: <c>shmmaps_HOST_MAP</c>); one per host and map, kept across restarts.</summary>
    public string? Slot { get; set; }

    /// <summary>The publication of the table (null: <c>shmmaps_TABLE</c>), created if it does not exist.</summary>
    public string? Publication { get; set; }

    /// <summary>The first wait before reconnecting after the connection dropped; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between reconnection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The slot name used for map <paramref name="mapName"/>.</summary>
    public string SlotFor(string mapName) => Slot ?? UniqueIdentifier($"shmmaps_{Environment.MachineName}_{mapName}", $"{Environment.MachineName}\0{mapName}");

    /// <summary>The publication name used.</summary>
    public string PublicationName => Publication ?? Identifier($"shmmaps_{Table}");

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting of map <paramref name="mapName"/> that is missing or invalid.</summary>
    public void Validate(string mapName)
    {
        string prefix = $"ShmMaps:Maps:{mapName}:Postgres";
        foreach ((string name, string? value) in new[] { ("ConnectionString", ConnectionString), ("Table", Table), ("KeyColumn", KeyColumn) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"{prefix}:{name} is required");
            }
        }
        if (Row)
        {
            if (ValueColumn is not null)
            {
                throw new ArgumentException($"{prefix}: Row stores whole rows; leave ValueColumn out (Columns picks the columns)");
            }
            if (Columns is { } columns && (columns.Length == 0 || columns.Any(string.IsNullOrWhiteSpace) || columns.Distinct().Count() != columns.Length))
            {
                throw new ArgumentException($"{prefix}:Columns must name one or more columns, each once");
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(ValueColumn))
            {
                throw new ArgumentException($"{prefix}:ValueColumn is required (or Row, for whole rows)");
            }
            if (Columns is not null)
            {
                throw new ArgumentException($"{prefix}:Columns picks the columns of a whole row: it needs Row");
            }
            if (KeyColumn == ValueColumn)
            {
                throw new ArgumentException($"{prefix}: KeyColumn and ValueColumn are both '{KeyColumn}'");
            }
        }
        if (!Enum.IsDefined(ValueFormat))
        {
            throw new ArgumentException($"{prefix}:ValueFormat must be String, Json or Bytes");
        }
        if (Slot is not null && Identifier(Slot) != Slot)
        {
            throw new ArgumentException($"{prefix}:Slot '{Slot}' is not a slot name: lower-case letters, digits and '_', at most 63");
        }
        if (ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay)
        {
            throw new ArgumentException($"{prefix}: ReconnectDelay must be more than zero and MaxReconnectDelay at least as long");
        }
    }

    /// <summary>Whether <paramref name="connectionString"/> holds a password (which a command line would show to every user).</summary>
    public static bool HoldsPassword(string connectionString)
    {
        try
        {
            return !string.IsNullOrEmpty(new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Password);
        }
        catch (ArgumentException)
        {
            return connectionString.Contains("password", StringComparison.OrdinalIgnoreCase); // not one Npgsql reads: refuse it rather than show it
        }
    }

    /// <summary>
    /// An identifier that no other <paramref name="exact"/> text gives: <paramref name="readable"/> as an identifier
    /// (lower case, '_' for what it may not hold; "Prices" and "prices", "eu.p" and "eu-p" read alike), then a 64-bit
    /// hash of <paramref name="exact"/>, within PostgreSQL's 63 bytes.
    /// </summary>
    private static string UniqueIdentifier(string readable, string exact)
    {
        string hash = ReplicaMarker.HashOf(exact).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        string prefix = Identifier(readable);
        return $"{(prefix.Length > 63 - 17 ? prefix[..(63 - 17)] : prefix)}_{hash}";
    }

    /// <summary>A PostgreSQL identifier made of <paramref name="text"/>: lower-case letters, digits and '_', at most 63 characters.</summary>
    private static string Identifier(string text)
    {
        var name = new StringBuilder(text.Length);
        foreach (char c in text.ToLowerInvariant())
        {
            name.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        }
        return name.Length <= 63 ? name.ToString() : name.ToString(0, 63);
    }
}
