using ShmMaps.Inspection;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Core;

/// <summary>
/// A map's file is as long as what its map uses (within one table): a copy without care for holes, a backup or
/// <c>ls -l</c> sees a small file, and one process can hold thousands of maps open, each mapping only what it can
/// reach soon.
/// </summary>
public sealed class FileLengthTests(ITestOutputHelper output) : IDisposable
{
    private const long MaxSmallMapBytes = 64L << 20;

    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Every kind, created for 1,000 keys, and the map opened as the kind would open it.</summary>
    public static TheoryData<string> Kinds => new() { "SeqMap", "StripedMap", "FolkloreMap", "LeftRightMap", "RwStore", "SeqArray", "SeqVec", "BlobMap" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AMapForAThousandKeysHasASmallFileThatLsDuAndInfoAgreeOn(string kind)
    {
        using IDisposable map = CreateSmall(kind, "small");
        var file = new FileInfo(_dir.FileOf("small"));
        MapDescription described = MapInspector.Describe("small", _dir.Options);
        output.WriteLine($"{kind}: {file.Length:N0} bytes long, {described.AllocatedBytes:N0} allocated");
        Assert.True(file.Length <= MaxSmallMapBytes, $"{kind} created for 1,000 keys is {file.Length:N0} bytes long");
        Assert.Equal(file.Length, described.FileBytes); // ls -l
        // du: everything the file holds is in use at create (whole pages).
        Assert.InRange(described.AllocatedBytes, file.Length - 4096, file.Length + 4096);
    }

    [Theory]
    [InlineData("SeqMap")]
    [InlineData("StripedMap")]
    [InlineData("FolkloreMap")]
    public void AGrownMapsFileIsWithinATableOfWhatItUses(string kindName)
    {
        GrowingKind kind = GrowingKind.Named(kindName);
        using IGrowingMap map = kind.Create("grown", 1000, _dir.Options);
        for (long i = 0; i < 200_000; i++)
        {
            map.Insert(i);
        }
        Thread.Sleep(200); // a writer looks at most every 100 ms whether old tables can go back
        map.Insert(0);
        MapDescription described = MapInspector.Describe("grown", _dir.Options);
        long holes = described.FileBytes - described.AllocatedBytes;
        output.WriteLine($"{kindName}: {described.FileBytes:N0} bytes long, {described.AllocatedBytes:N0} allocated");
        // The holes are the tables it grew out of: each half the next, so together less than the newest, which the
        // allocated bytes hold. A FolkloreMap's tables up to 32 MiB of cells carry a key slot per cell besides (the
        // first table past that is smaller than the one before it): their holes stay below twice the largest of them.
        long bound = kindName == "FolkloreMap" ? Math.Max(described.AllocatedBytes, 2 * (ShmOptions.CacheSizedTableBytes * 9 / 8)) : described.AllocatedBytes;
        Assert.True(holes >= 0 && holes < bound, $"{described.FileBytes:N0} long, {described.AllocatedBytes:N0} allocated");
    }

    [Fact]
    public void OneProcessHoldsThousandsOfMapsOpen()
    {
        int maps = Stress.Enabled ? 3000 : 300;
        int handlesPerMap = 3000 / maps;
        var handles = new List<SeqMap<long, long>>();
        long addressSpaceBefore = VirtualBytes();
        try
        {
            for (int m = 0; m < maps; m++)
            {
                handles.Add(SeqMap<long, long>.Create($"m{m}", 1000, _dir.Options));
                handles[^1].Insert(m, m);
                for (int h = 1; h < handlesPerMap; h++)
                {
                    handles.Add(SeqMap<long, long>.Open($"m{m}", _dir.Options));
                }
            }
            long addressSpace = VirtualBytes() - addressSpaceBefore;
            output.WriteLine($"{handles.Count} handles of {maps} maps: {addressSpace / (1 << 20):N0} MiB more address space");
            Assert.Equal(3000, handles.Count);
            for (int i = 0; i < handles.Count; i++)
            {
                int m = i / handlesPerMap;
                Assert.Equal(m, handles[i][m]);
            }
            // Each handle maps what its map can reach soon, not the largest table it may grow to.
            Assert.True(addressSpace < 3000L * 16 << 20, $"{addressSpace:N0} bytes of address space for 3,000 handles");
        }
        finally
        {
            handles.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void AHandleFollowsAMapThatOutgrewItsMappingAndWritesThroughBoth()
    {
        using var early = SeqMap<long, long>.Create("far", 1000, _dir.Options);
        early.Insert(-1, -1);
        long reserved = early.Region.Space.ReservedBytes;
        using (var grower = SeqMap<long, long>.Open("far", _dir.Options))
        {
            for (long i = 0; i < 1_000_000; i++)
            {
                grower.Insert(i, i * 3);
            }
        }
        Assert.True(new FileInfo(_dir.FileOf("far")).Length > reserved, "the map did not outgrow the first handle's mapping");
        for (long i = 0; i < 1_000_000; i += 997)
        {
            Assert.Equal(i * 3, early[i]);
            early[i] = i * 5; // through the new mapping: the lanes record offsets, not addresses
        }
        Assert.True(early.Region.Space.MappingCount >= 2, "the handle never mapped the file again");
        Assert.Equal(1_000_001, early.Count);
        CheckReport report = MapInspector.Check("far", _dir.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
        using var later = SeqMap<long, long>.Open("far", _dir.Options);
        Assert.Equal(5 * 997, later[997]);
    }

    private IDisposable CreateSmall(string kind, string name) => kind switch
    {
        "SeqMap" => SeqMap<long, long>.Create(name, 1000, _dir.Options),
        "StripedMap" => StripedMap<long, long>.Create(name, 1000, _dir.Options),
        "FolkloreMap" => FolkloreMap<int>.Create(name, 1000, _dir.Options),
        "LeftRightMap" => LeftRightMap.CreateWriter<long, long>(name, 1000, _dir.Options),
        "RwStore" => RwStore<long>.Create(name, _dir.Options),
        "SeqArray" => SeqArray<long>.Create(name, 1000, _dir.Options),
        "SeqVec" => SeqVec<long>.Create(name, 1000, _dir.Options),
        "BlobMap" => BlobMap.Create(name, 1000, _dir.Options),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>The process's address space (VmSize), in bytes.</summary>
    private static long VirtualBytes()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmSize:", StringComparison.Ordinal));
        return long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
