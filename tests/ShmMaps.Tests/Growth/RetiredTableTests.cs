using System.Buffers.Binary;
using ShmMaps.Inspection;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Growth;

/// <summary>
/// A table a map grew out of is given back only once no live handle can read it, and a handle that may still name it
/// never touches its pages again: on tmpfs a read of a hole allocates a page, which on a full file system is SIGBUS.
/// </summary>
public sealed class RetiredTableTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public static TheoryData<string> Kinds => new() { "SeqMap", "StripedMap", "FolkloreMap" };

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AFileSystemThatRefusesToGiveMemoryBackKeepsItSaysSoOnceAndGoesOn(string kindName)
    {
        GrowingKind kind = GrowingKind.Named(kindName);
        using (IGrowingMap map = kind.Create("kept", 16, _dir.Options))
        {
            map.Insert(0);
        }
        using (var child = ChildProcess.Start("no-holes", _dir.Path, "kept", kindName, 20_000))
        {
            Assert.Equal("refused 1", child.ReadLine()); // asked once; from then on the header says the memory stays
            Assert.Equal("ok", child.ReadLine());
        }
        using IGrowingMap reopened = kind.Open("kept", _dir.Options);
        reopened.Insert(20_001);
        Assert.Equal(20_002, reopened.Count);
        MapDescription described = MapInspector.Describe("kept", _dir.Options);
        Assert.Contains("refused the memory", described.Details["tables given back"]);
        (int code, string info) = ShmRun("info", "kept", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Equal(1, info.Split("refused the memory").Length - 1);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AProcessOpenedBeforeGrowthReadsWritesAndClaimsALaneAfterTheOldTableIsGivenBackOnAFullFileSystem(string kindName)
    {
        using SmallTmpfs? fs = SmallTmpfs.TryMount(32, out string why);
        if (fs is null)
        {
            output.WriteLine($"skipped: {why}");
            return;
        }
        const long keys = 200;
        GrowingKind kind = GrowingKind.Named(kindName);
        var options = new ShmOptions { Directory = fs.Path, WriterLanes = 2 };
        using IGrowingMap map = kind.Create("stale", 16, options);
        for (long i = 0; i < keys; i++)
        {
            map.Insert(i);
        }
        string go = Path.Combine(Path.GetTempPath(), $"shmmaps-go-{Guid.NewGuid():N}");
        try
        {
            using var reader = ChildProcess.Start("stale-reader", fs.Path, "stale", kindName, keys, go);
            Assert.Equal($"ready {keys}", reader.ReadLine());
            for (long i = keys; i < 10_000; i++)
            {
                map.Insert(i); // the map grows several times; the reader still names table 0
            }
            Thread.Sleep(200);
            map.Insert(0); // a writer looks whether old tables can go back: not while the reader may read them
            Assert.Contains("1 handle(s)", MapInspector.Describe("stale", fs.Options).Details["tables to give back"]);

            // The lane the reader will claim (the one this process's writer does not hold) says its last holder died
            // writing a word of table 0: claiming it reads that word.
            NameAWordOfTableZeroInTheFreeLane(Path.Combine(fs.Path, "stale.shm"));

            File.WriteAllText(go + ".1", "");
            Assert.Equal($"read {keys}", reader.ReadLine());
            Thread.Sleep(200);
            map.Insert(1); // the reader moved on: the old tables go back now
            Assert.Contains("tables given back", MapInspector.Describe("stale", fs.Options).Details.Keys);

            long filled = FillUp(fs.Path);
            output.WriteLine($"{kindName}: the file system filled with {filled:N0} more bytes");
            File.WriteAllText(go + ".2", "");
            Assert.Equal($"wrote {keys / 10}", reader.ReadLine()); // no SIGBUS: the reader never touched the given-back pages
            for (long i = 0; i < 10_000; i++)
            {
                Assert.True(map.TryGet(i, out long value), $"key {i} is missing");
                Assert.Equal(map.ValueOf(i), value);
            }
        }
        finally
        {
            File.Delete(go + ".1");
            File.Delete(go + ".2");
        }
        CheckReport report = MapInspector.Check("stale", fs.Options);
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    /// <summary>Points the free lane's intent (Locking) at the first word of the file's growing region: table 0.</summary>
    private static void NameAWordOfTableZeroInTheFreeLane(string file)
    {
        var patch = new MapFilePatch(file);
        ushort growing = BinaryPrimitives.ReadUInt16LittleEndian(patch.Read(14, 2));
        int region = System.Numerics.BitOperations.TrailingZeroCount(growing);
        long word = patch.RegionOffset(region);
        long lanes = patch.RegionOffset(0);
        uint laneSize = patch.ReadUInt32(60);
        for (int lane = 0; lane < 2; lane++)
        {
            long record = lanes + (lane * laneSize);
            if (patch.ReadUInt32(record) == 0)
            {
                patch.UInt32(record, 1).UInt32(record + 32, 1).Int64(record + 40, word); // generation 1, intent Locking, the word
            }
        }
        patch.Save();
    }

    private static (int Code, string Output) ShmRun(params string[] arguments)
    {
        var output = new StringWriter();
        int code = ShmMaps.Tool.Program.Run(arguments, output, output);
        return (code, output.ToString());
    }

    /// <summary>Writes a file into <paramref name="directory"/> until the file system is full; returns its bytes.</summary>
    private static long FillUp(string directory)
    {
        long written = 0;
        byte[] chunk = new byte[64 << 10];
        Array.Fill(chunk, (byte)1);
        using var filler = new FileStream(Path.Combine(directory, "filler"), FileMode.CreateNew);
        try
        {
            while (true)
            {
                filler.Write(chunk);
                filler.Flush();
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            return written;
        }
    }
}
