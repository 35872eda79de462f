namespace ShmMaps.Hosting;

/// <summary>The <c>pg_type</c> OIDs of the built-in types whose values a row's JSON writes other than as strings.</summary>
internal static class PgType
{
    public const uint Bool = 16;
    public const uint Bytea = 17;
    public const uint Int8 = 20;
    public const uint Int2 = 21;
    public const uint Int4 = 23;
    public const uint Oid = 26;
    public const uint Json = 114;
    public const uint Float4 = 700;
    public const uint Float8 = 701;
    public const uint Date = 1082;
    public const uint Time = 1083;
    public const uint Timestamp = 1114;
    public const uint Timestamptz = 1184;
    public const uint Numeric = 1700;
    public const uint Jsonb = 3802;
}
