using ShmMaps.Blob;
using ShmMaps.Core.Hashing;
using ShmMaps.Core.Locking;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Blob;

/// <summary>
/// White-box: a handle that dies in each step of counting an eviction (its lanes die as a killed process's would, its
/// locks held), and what the others make of it: the entry evicted once, the live bytes and evictions counted once.
/// </summary>
public sealed unsafe class BlobBudgetRecoveryTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Where the dying handle stops.</summary>
    public enum Stop
    {
        /// <summary>The tombstone in the cell, the live bytes not yet moved.</summary>
        Published,

        /// <summary>The budget lock held, the step announced, the live bytes not yet written.</summary>
        AccountingBefore,

        /// <summary>The budget lock held, the live bytes and evictions written, the step not yet left.</summary>
        AccountingAfter,

        /// <summary>Counted, the budget lock released, the evicted block not yet given back.</summary>
        Accounted,
    }

    [Theory]
    [InlineData(Stop.Published, false)]
    [InlineData(Stop.AccountingBefore, false)]
    [InlineData(Stop.AccountingBefore, true)]
    [InlineData(Stop.AccountingAfter, false)]
    [InlineData(Stop.AccountingAfter, true)]
    [InlineData(Stop.Accounted, false)]
    public void AnEvictionKilledAtAnyStepIsCountedOnce(Stop stop, bool otherWriteFirst)
    {
        using var map = BlobMap.Create("evicting", 100, _dir.Options);
        map.MaxBytes = 1 << 20;
        for (int i = 0; i < 50; i++)
        {
            map.Set($"k{i}", new byte[i * 10]);
        }
        long liveBefore = map.LiveBytes;
        string evicted = DieEvicting(stop);
        if (otherWriteFirst)
        {
            // A write of another stripe needs the budget lock: it takes it over and finishes the dead count.
            string other = Enumerable.Range(100, 1_000).Select(i => $"x{i}").First(k => !SameStripe(map, k, evicted));
            map.Set(other, new byte[10]);
            map.TryRemove(other);
        }
        CheckReport recovered = MapInspector.Recover("evicting", _dir.Options);
        Assert.True(recovered.IsSound, string.Join("; ", recovered.Problems));
        Assert.False(map.ContainsKey(evicted));
        Assert.Equal(49, map.Count);
        Assert.Equal(1, map.Evictions);
        BlobCensus census = map.Census();
        Assert.Empty(census.Problems);
        Assert.Equal(0, census.Unaccounted);
        Assert.Equal(census.LiveBlockBytes, map.LiveBytes);
        Assert.True(map.LiveBytes < liveBefore);
        map.Set(evicted, new byte[5]); // the stripe is usable again
        Assert.Equal(census.LiveBlockBytes + SizeClasses.Size(SizeClasses.Of(BlobBlock.BytesFor(evicted.Length, 5))), map.LiveBytes);
    }

    /// <summary>A second handle evicts the first entry of the map's first stripe that has one and dies at <paramref name="stop"/>; returns its key.</summary>
    private string DieEvicting(Stop stop)
    {
        string key = "";
        var thread = new Thread(() =>
        {
            var other = BlobMap.Open("evicting", _dir.Options);
            BlobTable table = other.View().Newest;
            Lane lane = other.Region.Lanes.Current;
            other.ContainsKey("k1"); // the lane made ready for this handle
            BlobRecord* record = BlobHeap.RecordOf(other.Region.Lanes, lane.Index);
            BlobControl control = other.Layout.Control;
            (long stripe, int cell) = FirstEntry(table);
            ulong entry = *table.Cell(stripe, cell);
            key = KeyOf(other, entry);
            RobustLock.Acquire(other.Region.Lanes, lane, (ulong*)table.Stripe(stripe));
            record->Generation = table.Generation;
            record->Stripe = stripe;
            record->Cell = cell;
            record->Old = entry;
            record->New = BlobEntry.Tombstone;
            record->Class = BlobRecord.Eviction;
            BlobRecord.Enter(record, BlobStep.Writing);
            SharedMemory.WriteRelease(table.Cell(stripe, cell), BlobEntry.Tombstone);
            BlobRecord.Enter(record, BlobStep.Published);
            *table.Live(stripe) -= 1;
            long size = SizeClasses.Size(BlobEntry.Class(entry));
            if (stop != Stop.Published)
            {
                ulong lockedFrom = RobustLock.Acquire(other.Region.Lanes, lane, control.BudgetLock);
                record->Blocks = *control.LiveBytes;
                record->Head = *control.Evictions;
                BlobRecord.Enter(record, BlobStep.Accounting);
                if (stop != Stop.AccountingBefore)
                {
                    *control.LiveBytes -= size;
                    *control.Evictions += 1;
                }
                if (stop == Stop.Accounted)
                {
                    BlobRecord.Enter(record, BlobStep.Accounted);
                    RobustLock.Release(control.BudgetLock, lockedFrom);
                }
            }
            other.Dispose(); // its lanes die with their locks held
        });
        thread.Start();
        thread.Join();
        return key;
    }

    private static (long Stripe, int Cell) FirstEntry(BlobTable table)
    {
        for (long s = 0; s < table.Stripes; s++)
        {
            for (int c = 0; c < BlobLayout.CellsPerStripe; c++)
            {
                if (BlobEntry.IsBlock(*table.Cell(s, c)))
                {
                    return (s, c);
                }
            }
        }
        throw new InvalidOperationException("no entry");
    }

    private static string KeyOf(BlobMap map, ulong entry)
    {
        byte* block = map.Layout.Block(BlobEntry.Offset(entry), SizeClasses.Size(BlobEntry.Class(entry)));
        return System.Text.Encoding.UTF8.GetString(new ReadOnlySpan<byte>(block + BlobBlock.HeaderSize, BlobBlock.KeyLength(block)));
    }

    private static bool SameStripe(BlobMap map, string a, string b)
    {
        BlobTable table = map.View().Newest;
        foreach ((long s, int c) in Enumerable.Range(0, (int)table.Stripes).SelectMany(s => Enumerable.Range(0, BlobLayout.CellsPerStripe).Select(c => ((long)s, c))))
        {
            ulong entry = *table.Cell(s, c);
            if (BlobEntry.IsBlock(entry) && KeyOf(map, entry) == b)
            {
                return table.StripeIndexOf(XxHash3.Hash(System.Text.Encoding.UTF8.GetBytes(a), map.FileIdentity)) == s;
            }
        }
        return false;
    }
}
