using ShmMaps.Striped;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Striped;

/// <summary>A StripedMap holds its capacity: no stripe may fill up before the map does, but with a negligible chance.</summary>
public sealed class StripeSizingTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    [Theory]
    [InlineData(null)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public void ChosenStripesOverflowOnlyWithNegligibleChanceAndKeepTheTable(double? maxLoad)
    {
        foreach (long capacity in new long[] { 0, 1, 100, 10_000, 1_000_000, 16_000_000, 500_000_000 })
        {
            (long stripes, long perStripe) = StripedLayout.Size(capacity, 0, maxLoad, 24);
            long cells = Tables.TableSizing.CellsFor(capacity, maxLoad, 24, StripedLayout.MaxCells, "StripedMap");

            Assert.True(StripeOverflow.Chance(capacity, stripes, perStripe) <= StripeOverflow.Negligible, $"{capacity} at {maxLoad}: {stripes} x {perStripe}");
            Assert.Equal(Math.Max(cells, StripedLayout.MinCellsPerStripe), stripes * perStripe);
            Assert.True(perStripe >= Math.Min(StripedLayout.DefaultCellsPerStripe, cells));
        }
    }

    [Fact]
    public void AChosenStripeCountIsKeptAndItsStripesGrow()
    {
        (long stripes, long perStripe) = StripedLayout.Size(100_000, 4096, null, 24);

        Assert.Equal(4096, stripes);
        Assert.True(perStripe > 64, $"{perStripe} cells per stripe"); // 64 would overflow one map in a few thousand
        Assert.True(StripeOverflow.Chance(100_000, stripes, perStripe) <= StripeOverflow.Negligible);
        Assert.True(StripeOverflow.Chance(100_000, stripes, perStripe / 2) > StripeOverflow.Negligible);
    }

    [Fact]
    public void TheChanceIsThePoissonTailOfEachStripe()
    {
        Assert.Equal(0, StripeOverflow.Chance(64, 1000, 64));
        Assert.Equal(1, StripeOverflow.Chance(65, 1, 64));
        // P(Poisson(32) > 64) = 2.0e-7 (computed independently), times 32,768 stripes.
        Assert.InRange(StripeOverflow.Chance(32 * 32_768, 32_768, 64), 32_768 * 1.9e-7, 32_768 * 2.1e-7);
    }

    [Fact]
    public void ADenseMapTakesItsWholeCapacityOfRandomKeys()
    {
        const long capacity = 200_000;
        using var map = StripedMap<long, long>.Create("dense", capacity, new ShmOptions { Directory = _dir.Path, MaxLoad = 1.0 });
        var random = new Random(17);
        var keys = new HashSet<long>();
        while (keys.Count < capacity)
        {
            keys.Add(random.NextInt64());
        }

        foreach (long key in keys)
        {
            map.Insert(key, key);
        }

        Assert.Equal(capacity, map.Count);
        Assert.All(keys.Take(1000), key => Assert.Equal(key, map[key]));
    }

    public void Dispose() => _dir.Dispose();
}
