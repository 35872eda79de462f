using ShmMaps.Blob;

namespace ShmMaps;

/// <summary>What the inspector reads of a blob map: its entries, where every heap byte is, and the recovery of dead writers.</summary>
public sealed unsafe partial class BlobMap
{
    private readonly bool _ownsRegion = true;

    private BlobMap(MapRegion region, bool ownsRegion)
        : this(region)
    {
        _ownsRegion = ownsRegion;
    }

    /// <summary>A map over an inspector's open region, which stays the inspector's (disposing the map closes only its view).</summary>
    internal static BlobMap Over(MapRegion region) => new(region, ownsRegion: false);

    /// <summary>
    /// The keys and values that are the map's, each read whole; a migration under way is finished first, and the table
    /// walked stays readable here until the walk ends.
    /// </summary>
    internal IEnumerable<(string Key, byte[] Value)> Entries()
    {
        foreach (BlobEntryHead head in WalkHeads(int.MaxValue))
        {
            yield return (head.Key, head.Prefix);
        }
    }

    /// <summary>
    /// Every entry of the newest table (a growth under way finished first), each copied under one even version of its
    /// block: its key, the first <paramref name="prefixLength"/> bytes of its value, the value's length and version.
    /// </summary>
    private IEnumerable<BlobEntryHead> WalkHeads(int prefixLength)
    {
        BlobView view = _migration.Settled();
        BlobTable table = view.Newest;
        _retirement.Pin(table.Generation);
        var stripe = new List<BlobEntryHead>(BlobLayout.CellsPerStripe);
        try
        {
            for (long s = 0; s < table.Stripes; s++)
            {
                stripe.Clear();
                CopyStripe(table, s, prefixLength, stripe);
                foreach (BlobEntryHead head in stripe)
                {
                    yield return head;
                }
            }
        }
        finally
        {
            _retirement.Unpin(table.Generation);
        }
    }

    private void CopyStripe(BlobTable table, long stripe, int prefixLength, List<BlobEntryHead> into)
    {
        for (int c = 0; c < BlobLayout.CellsPerStripe; c++)
        {
            if (TryCopy(table.Cell(stripe, c), prefixLength, out byte[]? key, out byte[]? prefix, out int valueLength, out long version))
            {
                into.Add(new BlobEntryHead(System.Text.Encoding.UTF8.GetString(key), prefix, valueLength, version));
            }
        }
    }

    /// <summary>
    /// The key a cell names and the first <paramref name="prefixLength"/> bytes of its value (with the value's whole
    /// length and version), copied under one even version (read again while writers move it on).
    /// </summary>
    private bool TryCopy(ulong* cell, int prefixLength, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(true)] out byte[]? prefix,
        out int valueLength, out long version)
    {
        while (true)
        {
            ulong entry = SharedMemory.ReadAcquire(cell);
            if (!BlobEntry.IsBlock(entry))
            {
                key = prefix = null;
                valueLength = 0;
                version = 0;
                return false;
            }
            byte* block = BlockOf(entry, out int size);
            uint blockVersion = SharedMemory.ReadAcquire(BlobBlock.Version(block));
            int keyLength = BlobBlock.KeyLength(block);
            valueLength = BlobBlock.ValueLength(block);
            bool fits = (uint)keyLength <= (uint)(size - BlobBlock.HeaderSize) && (uint)valueLength <= (uint)(size - BlobBlock.HeaderSize - keyLength);
            key = fits ? new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize, keyLength).ToArray() : null;
            prefix = fits ? new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize + keyLength, Math.Min(valueLength, prefixLength)).ToArray() : null;
            SharedMemory.LoadLoadBarrier();
            bool stable = SharedMemory.ReadAcquire(BlobBlock.Version(block)) == blockVersion && SharedMemory.ReadAcquire(cell) == entry;
            if (!stable)
            {
                continue; // a writer moved the cell or the block on: read it again
            }
            if ((blockVersion & 1) != 0 || key is null || prefix is null)
            {
                // Named by its cell and unchanged, yet free or not holding what it says: damage, not a write under way.
                ThrowHelper.ThrowCorrupt($"map '{Name}': the block at heap offset {BlobEntry.Offset(entry)} (version {blockVersion}, {size} bytes) " +
                    $"does not hold a whole key and value ({keyLength} + {valueLength} bytes)");
            }
            version = VersionOf(entry, blockVersion);
            return true;
        }
    }

    /// <summary>Recovers every lock a dead process holds (stripes of the tables in use, the classes, the frontier); returns how many.</summary>
    internal int RecoverDead()
    {
        int recovered = 0;
        CurrentLane();
        foreach (BlobTable table in View().Live)
        {
            for (long s = 0; s < table.Stripes; s++)
            {
                recovered += SettleIfDead((ulong*)table.Stripe(s), _finishDeadStripeOwner) ? 1 : 0;
            }
        }
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            recovered += SettleIfDead(_layout.Control.ClassLock(c), null) ? 1 : 0;
        }
        recovered += SettleIfDead(_layout.Control.FrontierLock, null) ? 1 : 0;
        recovered += _budget.RecoverIfDead(CurrentLane()) ? 1 : 0;
        return recovered;
    }

    /// <summary>Takes and releases a lock word whose holder is dead (its recovery runs); false if it is free or held by the living.</summary>
    private bool SettleIfDead(ulong* word, LockWordAction? stripeRecovery)
    {
        ulong seen = SharedMemory.ReadAcquire(word);
        if (!LockWord.IsLocked(seen) || !_region.Lanes.IsOwnerDead(seen))
        {
            return false;
        }
        Lane lane = CurrentLane();
        ulong lockedFrom = stripeRecovery is null ? _heap.AcquireSettling(lane, word) : RobustLock.Acquire(_region.Lanes, lane, word, stripeRecovery);
        RobustLock.Release(word, lockedFrom);
        return true;
    }

    /// <summary>Where every heap byte is: the blocks the index names (each checked), the free lists, the lanes' blocks, the tables.</summary>
    internal BlobCensus Census()
    {
        var census = new BlobCensus
        {
            Frontier = _layout.Frontier,
            KeptLiveBytes = _budget.Keeps ? _budget.LiveBytes : null,
            MaxBytes = MaxBytes,
            Evictions = _budget.Evictions,
            ChangeLogBytes = ChangeLogBytes,
            CacheCountsBytes = CacheCountsBytes,
            CacheCounts = CacheCounts,
        };
        var seen = new HashSet<long>();
        BlobView view = View();
        foreach (BlobTable table in view.Live)
        {
            CensusOfTable(view, table, seen, census);
        }
        for (int g = 0; g < _layout.Tables; g++)
        {
            bool reserved = g == 0 || SharedMemory.ReadAcquire(_layout.Control.TableOffset(g)) != 0;
            long bytes = BlobLayout.TableBytes(_layout.FirstStripes << g);
            if (!reserved)
            {
                continue;
            }
            if (g >= TableDirectory.OldestLive(view.State) && g <= view.Generation)
            {
                census.TableBytes += bytes;
            }
            else
            {
                census.OldTableBytes += bytes; // given back (or waiting to be), or reserved for a growth not yet published
            }
        }
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            CensusOfList(c, seen, census);
        }
        for (int lane = 0; lane < _region.Lanes.Count; lane++)
        {
            BlobRecord* record = BlobHeap.RecordOf(_region.Lanes, lane);
            if (BlobRecord.StepOf(record) == BlobStep.Taken && seen.Add(record->Block))
            {
                census.Held.Add($"lane {lane} (pid {_region.Lanes.Record(lane)->Pid}, {(_region.Lanes.IsAlive(lane) ? "live" : "dead")}): block {record->Block} of class {record->Class} for cell {record->Cell} of stripe {record->Stripe} of table {record->Generation}");
                census.HeldBlocks++;
                census.HeldBlockBytes += SizeClasses.Size(Math.Clamp(record->Class, 0, SizeClasses.Count - 1));
            }
        }
        return census;
    }

    private void CensusOfTable(BlobView view, BlobTable table, HashSet<long> seen, BlobCensus census)
    {
        for (long s = 0; s < table.Stripes; s++)
        {
            if (!view.Holds(table, s))
            {
                continue;
            }
            long live = 0;
            for (int c = 0; c < BlobLayout.CellsPerStripe; c++)
            {
                ulong entry = SharedMemory.ReadAcquire(table.Cell(s, c));
                if (!BlobEntry.IsBlock(entry))
                {
                    continue;
                }
                live++;
                string where = $"table {table.Generation} stripe {s} cell {c}";
                long offset = BlobEntry.Offset(entry);
                byte* block;
                int size;
                try
                {
                    block = BlockOf(entry, out size);
                }
                catch (CorruptMapException e)
                {
                    census.Problems.Add($"{where}: {e.Message}");
                    continue;
                }
                if (!seen.Add(offset))
                {
                    census.Problems.Add($"{where}: block at heap offset {offset} is named twice");
                    continue;
                }
                census.LiveBlockBytes += size;
                int keyLength = BlobBlock.KeyLength(block);
                int valueLength = BlobBlock.ValueLength(block);
                if ((*BlobBlock.Version(block) & 1) != 0 || (uint)keyLength > (uint)(size - BlobBlock.HeaderSize) || (uint)valueLength > (uint)(size - BlobBlock.HeaderSize - keyLength))
                {
                    census.Problems.Add($"{where}: block at {offset} (version {*BlobBlock.Version(block)}) does not hold a whole key and value ({keyLength} + {valueLength} bytes in {size})");
                    continue;
                }
                census.Keys++;
                census.KeyAndValueBytes += keyLength + valueLength;
                ulong hash = Hash(new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize, keyLength));
                if ((uint)hash != BlobBlock.Hash(block) || !BlobEntry.TagMatches(entry, hash) || table.StripeIndexOf(hash) != s)
                {
                    census.Problems.Add($"{where}: the key in block {offset} hashes elsewhere (lookups do not find it)");
                }
                else if (!Reachable(table, s, c, BlobTable.HomeOf(hash)))
                {
                    census.Problems.Add($"{where}: an empty cell lies between the key's home cell {BlobTable.HomeOf(hash)} and its cell (lookups do not find it)");
                }
            }
            if (*table.Live(s) != live)
            {
                census.Problems.Add($"table {table.Generation} stripe {s}: counts {*table.Live(s)} keys, holds {live}");
            }
        }
    }

    private static bool Reachable(BlobTable table, long stripe, int cell, int home)
    {
        for (int c = home; c != cell; c = (c + 1) & (BlobLayout.CellsPerStripe - 1))
        {
            if (SharedMemory.ReadAcquire(table.Cell(stripe, c)) == BlobEntry.Empty)
            {
                return false;
            }
        }
        return true;
    }

    private void CensusOfList(int sizeClass, HashSet<long> seen, BlobCensus census)
    {
        int size = SizeClasses.Size(sizeClass);
        long most = census.Frontier / size;
        long offset = SharedMemory.ReadAcquire(_layout.Control.ClassHead(sizeClass));
        for (long n = 0; offset != 0; n++)
        {
            if (n > most)
            {
                census.Problems.Add($"size class {sizeClass}: its free list runs in a cycle");
                return;
            }
            byte* block;
            try
            {
                block = _layout.Block(offset, size);
            }
            catch (CorruptMapException e)
            {
                census.Problems.Add($"size class {sizeClass}: {e.Message}");
                return;
            }
            if (!seen.Add(offset))
            {
                census.Problems.Add($"size class {sizeClass}: block {offset} is on its free list and named elsewhere too");
                return;
            }
            census.FreeBlocks++;
            census.FreeBlockBytes += size;
            offset = SharedMemory.ReadAcquire(BlobBlock.Next(block));
        }
    }
}
