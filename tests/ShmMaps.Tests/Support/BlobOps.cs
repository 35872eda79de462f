namespace ShmMaps.Tests.Support;

/// <summary>
/// The operations of a BlobMap crash test: version v of key k is a remove every fifth version, else a value of a length and
/// a byte that only (k, v) gives, so that a reader tells which write it sees and whether it is whole.
/// </summary>
public static class BlobOps
{
    public static string Key(long key) => $"key-{key}";

    public static bool IsRemove(long version) => version % 5 == 0;

    public static int Length(long key, long version) => (int)((((key * 7919) + (version * 104_729)) % 20_000) + 1);

    public static byte Fill(long key, long version) => (byte)((key * 31) + version);

    public static void Apply(BlobMap map, long key, long version)
    {
        if (IsRemove(version))
        {
            map.TryRemove(Key(key));
        }
        else
        {
            map.Set(Key(key), Value(key, version));
        }
    }

    public static byte[] Value(long key, long version)
    {
        byte[] value = new byte[Length(key, version)];
        value.AsSpan().Fill(Fill(key, version));
        value[0] = (byte)version; // the version's low byte, so that two versions of one length and byte still differ
        return value;
    }

    /// <summary>Whether the map's state of <paramref name="key"/> (<paramref name="value"/>, null if absent) is what version <paramref name="version"/> left.</summary>
    public static bool Is(long key, long version, byte[]? value) =>
        version == 0 ? value is null : IsRemove(version) ? value is null : value is not null && value.AsSpan().SequenceEqual(Value(key, version));
}
