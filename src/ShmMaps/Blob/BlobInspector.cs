using System.Text;
using System.Text.Unicode;

namespace ShmMaps.Blob;

/// <summary>Reads, checks and recovers BlobMap files: the index, every block, the free lists and the heap's accounting.</summary>
internal sealed class BlobInspector : IKindInspector
{
    /// <summary>The prefix <c>shm</c> writes before a value that is not UTF-8 text, in base64 (and before text that begins with it).</summary>
    public const string Base64Prefix = "base64:";

    public MapKind Kind => MapKind.BlobMap;

    public string ShortName => "blob";

    public bool TypedKeys => false;

    public bool TypedValues => false;

    public EntryAccess Access(Type? key, Type value) => new BlobAccess();

    public long Count(MapRegion region)
    {
        using BlobMap map = BlobMap.Over(region);
        return map.Count;
    }

    /// <summary>The index, the heap's bytes by use, and how much of it the keys and values fill, for <c>shm info</c>.</summary>
    public IReadOnlyDictionary<string, string> Details(MapRegion region)
    {
        using BlobMap map = BlobMap.Over(region);
        BlobView view = map.View();
        BlobCensus census = map.Census();
        long blocks = census.LiveBlockBytes + census.FreeBlockBytes + census.HeldBlockBytes;
        var details = new Dictionary<string, string>
        {
            ["index"] = $"table {view.Generation}: {view.Newest.Stripes:N0} stripes of {BlobLayout.CellsPerStripe} cells ({census.TableBytes:N0} bytes)",
            ["migration"] = view.Older is { } older ? $"table {older.Generation} into table {view.Generation}: {view.MovedUnits():N0} of {older.Stripes:N0} stripes moved" : "none",
            ["heap"] = $"{census.Frontier:N0} bytes handed out of {BlobLayout.HeapBytes:N0}",
            ["live bytes"] = $"{census.KeyAndValueBytes:N0} in {census.Keys:N0} keys and values, in blocks of {census.LiveBlockBytes:N0} bytes",
            ["budget"] = census.KeptLiveBytes is not { } kept ? "none (the file was made before BlobMaps kept their bytes)"
                : census.MaxBytes == 0 ? $"none; entries take {kept:N0} bytes"
                : $"{kept:N0} of {census.MaxBytes:N0} bytes taken; {census.Evictions:N0} entries evicted",
            ["cache reads"] = census.CacheCounts is not { } reads ? "none counted (no shared cache has read this map)"
                : $"{reads.Hits:N0} hits, {reads.Misses:N0} misses ({(reads.Hits + reads.Misses == 0 ? 0 : 100.0 * reads.Hits / (reads.Hits + reads.Misses)):F1}% hits), {reads.Expirations:N0} expired entries removed, by every process",
            ["free bytes"] = $"{census.FreeBlockBytes:N0} in {census.FreeBlocks:N0} free blocks (reused by writes of their size)",
            ["fragmentation"] = blocks == 0 ? "none" : $"{(double)(blocks - census.KeyAndValueBytes) / blocks:P1} of the block bytes hold no key or value",
            ["held blocks"] = $"{census.HeldBlocks:N0} ({census.HeldBlockBytes:N0} bytes) taken by writes under way or left by dead writers",
            ["leases"] = $"{map.Layout.Leases.Count():N0} held by live readers (their blocks are not reused until they end)",
            ["old tables"] = $"{census.OldTableBytes:N0} bytes of the index's earlier tables (given back to the file system once no handle reads them)",
        };
        TableRetirement.Describe(region, map.Layout.Control.Directory, details);
        return details;
    }

    public IEnumerable<MapEntry> Dump(MapRegion region)
    {
        using BlobMap map = BlobMap.Over(region);
        long index = 0;
        foreach ((string key, byte[] value) in map.Entries())
        {
            yield return EntryOf(index++, key, value);
        }
    }

    /// <summary>
    /// Verifies every entry that is the map's (a whole block of its class, the key hashing to its stripe, tag and hash, and
    /// found by lookups), each stripe's count, the free lists (no cycle, no block twice), and that every heap byte is a
    /// table, a block the index names, a free block or one a lane holds. With <paramref name="recover"/>, every lock of a
    /// dead process is recovered first (its write finished or undone, its blocks listed again).
    /// </summary>
    public void Check(MapRegion region, CheckReport report, bool recover)
    {
        using BlobMap map = BlobMap.Over(region);
        if (recover)
        {
            report.Recovered += map.RecoverDead();
        }
        BlobCensus census = map.Census();
        report.Examined += census.Keys + census.FreeBlocks;
        foreach (string problem in census.Problems)
        {
            report.Add(problem);
        }
        if (census.HeldBlocks > 0)
        {
            report.Note($"{census.HeldBlocks} block(s) ({census.HeldBlockBytes:N0} bytes) are held by writes under way or by dead writers (the next access to their stripe, or shm recover, returns a dead writer's)");
        }
        if (census.KeptLiveBytes is { } kept && kept != census.LiveBlockBytes)
        {
            string text = $"the map counts {kept:N0} live bytes, but the blocks its index names take {census.LiveBlockBytes:N0}";
            if (region.Lanes.AnyLaneAlive())
            {
                report.Note(text + " (other processes are writing: the walk is not a snapshot)");
            }
            else
            {
                report.Add(text);
            }
        }
        if (census.Unaccounted != 0)
        {
            string text = $"the heap has {census.Frontier:N0} bytes handed out, but tables ({census.TableBytes + census.OldTableBytes:N0}), named blocks ({census.LiveBlockBytes:N0}), free blocks ({census.FreeBlockBytes:N0}) and held blocks ({census.HeldBlockBytes:N0}) account for {census.Frontier - census.Unaccounted:N0}";
            if (region.Lanes.AnyLaneAlive())
            {
                report.Note(text + " (other processes are writing: the walk is not a snapshot)");
            }
            else
            {
                report.Add(text);
            }
        }
    }

    /// <summary>An entry as <c>shm</c> shows it: a shared cache's entry as its payload and expiry, any other value as <see cref="FormatValue"/> writes it.</summary>
    public static MapEntry EntryOf(long index, string key, byte[] value) =>
        CacheEntryHeader.TryRead(value, out CacheEntryHeader header)
            ? new MapEntry(index, key, FormatValue(value[CacheEntryHeader.Bytes..])) { Expiry = MapEntryExpiry.Of(header) }
            : new MapEntry(index, key, FormatValue(value));

    /// <summary>The bytes of an entry <see cref="EntryOf"/> showed (a cache entry's header written again before its payload).</summary>
    public static byte[] ValueOf(MapEntry entry)
    {
        byte[] payload = ParseValue(entry.Value);
        if (entry.Expiry is not { } expiry)
        {
            return payload;
        }
        byte[] value = new byte[CacheEntryHeader.Bytes + payload.Length];
        expiry.ToHeader().Write(value);
        payload.CopyTo(value, CacheEntryHeader.Bytes);
        return value;
    }

    /// <summary>A value as <c>shm</c> shows it: UTF-8 text as it is, anything else in base64 after <see cref="Base64Prefix"/>.</summary>
    public static string FormatValue(byte[] value) =>
        Utf8.IsValid(value) && !value.AsSpan().StartsWith("base64:"u8) ? Encoding.UTF8.GetString(value) : Base64Prefix + Convert.ToBase64String(value);

    /// <summary>The bytes <see cref="FormatValue"/> wrote <paramref name="text"/> for.</summary>
    public static byte[] ParseValue(string text) =>
        text.StartsWith(Base64Prefix, StringComparison.Ordinal) ? Convert.FromBase64String(text[Base64Prefix.Length..]) : Encoding.UTF8.GetBytes(text);
}
