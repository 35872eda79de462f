using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Tool;

/// <summary><c>shm get</c>, <c>set</c> and <c>rm</c> on every kind, keys and values parsed from the header's type names.</summary>
public sealed class EntryCommandTests : IDisposable
{
    private const int KeyNotFound = 5;
    private const int Usage = 64;
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SeqMapAndStripedMapKeysAreSetReadAndRemoved()
    {
        SeqMap<long, double>.Create("prices", 100, _dir.Options).Dispose();
        StripedMap<int, FixedString32>.Create("names", 100, _dir.Options).Dispose();

        Assert.Equal((0, ""), Run("set", "prices", "42", "101.25"));
        Assert.Equal((0, "101.25\n"), Run("get", "prices", "42"));
        Assert.Equal(0, Run("rm", "prices", "42").Code);
        (int code, string output) = Run("get", "prices", "42");
        Assert.Equal(KeyNotFound, code);
        Assert.Contains("no key '42'", output);
        Assert.Equal(KeyNotFound, Run("rm", "prices", "42").Code);

        Assert.Equal(0, Run("set", "names", "-7", "grace hopper").Code);
        Assert.Equal("grace hopper\n", Run("get", "names", "-7").Output);
        using (var names = StripedMap<int, FixedString32>.Open("names", _dir.Options))
        {
            Assert.Equal("grace hopper", names[-7].ToString());
        }
        Assert.Contains("\"found\": true", Run("get", "names", "-7", "--json").Output);
    }

    [Fact]
    public void KeysAndValuesThatDoNotParseAreUsageErrorsNamingTheType()
    {
        SeqMap<long, double>.Create("prices", 100, _dir.Options).Dispose();
        (int code, string output) = Run("get", "prices", "AAPL");
        Assert.Equal(Usage, code);
        Assert.Contains("key 'AAPL' is not a Int64", output);
        (code, output) = Run("set", "prices", "1", "cheap");
        Assert.Equal(Usage, code);
        Assert.Contains("value 'cheap' is not a Double", output);
        StripedMap<long, FixedString32>.Create("names", 100, _dir.Options).Dispose();
        Assert.Equal(Usage, Run("set", "names", "1", new string('x', 40)).Code);
        Assert.Equal(2, Run("get", "missing", "1").Code);
    }

    [Fact]
    public void FolkloreMapsTakeStringKeys()
    {
        FolkloreMap<int>.Create("hits", 100, _dir.Options).Dispose();
        Assert.Equal(0, Run("set", "hits", "service-1/requests", "12").Code);
        Assert.Equal("12\n", Run("get", "hits", "service-1/requests").Output);
        Assert.Equal(0, Run("rm", "hits", "service-1/requests").Code);
        Assert.Equal(KeyNotFound, Run("get", "hits", "service-1/requests").Code);
    }

    [Fact]
    public void ALeftRightMapIsChangedThroughItsWriterOneChangePerPublish()
    {
        using (var writer = LeftRightMap.CreateWriter<long, long>("routes", 100, _dir.Options))
        {
            using WriteGuard<long, long> guard = writer.Guard();
            guard.Insert(1, 10);
        }
        Assert.Equal(0, Run("set", "routes", "2", "20").Code);
        Assert.Equal("20\n", Run("get", "routes", "2").Output);
        Assert.Equal(0, Run("rm", "routes", "1").Code);
        using var reader = LeftRightMap.OpenReader<long, long>("routes", _dir.Options);
        using (ReadGuard<long, long> read = reader.Guard())
        {
            Assert.False(read.ContainsKey(1));
            Assert.Equal(20, read.Get(2));
        }

        using var live = LeftRightMap.OpenWriter<long, long>("routes", _dir.Options);
        (int code, string output) = Run("set", "routes", "3", "30");
        Assert.Equal(4, code);
        Assert.Contains($"pid {Environment.ProcessId}", output);
    }

    [Fact]
    public void ArraysAndVectorsAreIndexedAndVectorsAppend()
    {
        SeqArray<int>.Create("slots", 4, _dir.Options).Dispose();
        Assert.Equal(0, Run("set", "slots", "3", "9").Code);
        Assert.Equal("9\n", Run("get", "slots", "3").Output);
        Assert.Equal(KeyNotFound, Run("get", "slots", "4").Code);
        Assert.Contains("set one instead", Run("rm", "slots", "3").Output);

        SeqVec<long>.Create("log", 4, _dir.Options).Dispose();
        Assert.Equal((0, "0\n"), Run("set", "log", "new", "5"));
        Assert.Equal((0, "1\n"), Run("set", "log", "new", "6"));
        Assert.Equal("6\n", Run("get", "log", "1").Output);
    }

    [Fact]
    public void StoresAreReadWrittenAndRemovedById()
    {
        RwStore<ulong>.Create("orders", _dir.Options).Dispose();
        (int code, string id) = Run("set", "orders", "new", "7");
        Assert.Equal(0, code);
        id = id.Trim();
        Assert.Equal("7\n", Run("get", "orders", id).Output);
        Assert.Equal(0, Run("set", "orders", id, "8").Code);
        Assert.Equal("8\n", Run("get", "orders", id).Output);
        Assert.Equal(0, Run("rm", "orders", id).Code);
        Assert.Equal(KeyNotFound, Run("get", "orders", id).Code);
        Assert.Equal(KeyNotFound, Run("set", "orders", id, "9").Code);
        Assert.Equal(Usage, Run("get", "orders", "42").Code);
    }

    [Fact]
    public void OtherTypesAreReadAndWrittenAsTheHexDumpShows()
    {
        using (var map = SeqMap<long, Whole4>.Create("whole", 10, _dir.Options))
        {
            map.Insert(1, Whole4.Of(7));
        }
        string value = Run("get", "whole", "1").Output.Trim();
        Assert.StartsWith("0x", value);
        Assert.Equal(Run("dump", "whole", "--format", "csv").Output.Split('\n')[1].Split(',')[2], value);

        string eights = "0x" + Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes([Whole4.Of(8)]));
        Assert.Equal(0, Run("set", "whole", "2", eights).Code);
        using (var map = SeqMap<long, Whole4>.Open("whole", _dir.Options))
        {
            Assert.Equal(Whole4.Of(8), map[2]);
        }
        (int code, string output) = Run("set", "whole", "3", "0x0102");
        Assert.Equal(Usage, code);
        Assert.Contains("2 bytes of hex", output);

        // A key of a type shm does not have: hex too.
        using (var keyed = StripedMap<Whole4, long>.Create("keyed", 10, _dir.Options))
        {
            keyed.Insert(Whole4.Of(5), 55);
        }
        string key = "0x" + Convert.ToHexString(System.Runtime.InteropServices.MemoryMarshal.AsBytes([Whole4.Of(5)]));
        Assert.Equal("55\n", Run("get", "keyed", key).Output);
        Assert.Equal(0, Run("rm", "keyed", key).Code);
        Assert.Equal(KeyNotFound, Run("get", "keyed", key).Code);
    }

    [Fact]
    public void BlobMapValuesAreTextWhenUtf8ElseBase64AndComeFromFiles()
    {
        Assert.Equal(0, Run("create", "docs", "--kind", "blob", "--capacity", "100").Code);
        Assert.Equal(0, Run("set", "docs", "user:42", "{\"name\":\"Ada\"}").Code);
        Assert.Equal("{\"name\":\"Ada\"}\n", Run("get", "docs", "user:42").Output);
        Assert.Equal("7b226e616d65223a22416461227d\n", Run("get", "docs", "user:42", "--hex").Output);
        string file = Path.Combine(_dir.Path, "value.bin");
        File.WriteAllBytes(file, [0xFF, 0x00, 0x01]);
        Assert.Equal(0, Run("set", "docs", "binary", "--value-file", file).Code);
        Assert.Equal("base64:/wAB\n", Run("get", "docs", "binary").Output);
        Assert.Equal(0, Run("set", "docs", "again", "base64:/wAB").Code);
        using (var docs = BlobMap.Open("docs", _dir.Options))
        {
            Assert.Equal([0xFF, 0x00, 0x01], docs["again"]);
        }
        Assert.Equal(Usage, Run("set", "docs", "both", "x", "--value-file", file).Code);
        string dump = Run("dump", "docs", "--format", "jsonl").Output;
        Assert.Contains("user:42", dump);
        Assert.Contains("base64:/wAB", dump);
        Assert.Equal(0, Run("rm", "docs", "binary").Code);
        Assert.Equal(KeyNotFound, Run("get", "docs", "binary", "--raw").Code);
        Assert.Equal(0, Run("check", "docs").Code);
        string info = Run("info", "docs").Output;
        Assert.Contains("live bytes", info);
        Assert.Contains("fragmentation", info);
        SeqMap<long, double>.Create("prices", 100, _dir.Options).Dispose();
        Assert.NotEqual(0, Run("get", "prices", "1", "--hex").Code);
    }

    private (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = ShmMaps.Tool.Program.Run([.. args, "--dir", _dir.Path], output, output);
        return (code, output.ToString().ReplaceLineEndings("\n"));
    }
}
