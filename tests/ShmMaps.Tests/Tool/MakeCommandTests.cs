using ShmMaps.Inspection;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Tool;

/// <summary>
/// <c>shm create</c> makes a map of any kind; <c>shm dump --format jsonl</c> and <c>shm load</c> move one between
/// versions or machines, exactly; <c>shm copy</c> copies a live map while writers write.
/// </summary>
public sealed class MakeCommandTests : IDisposable
{
    private const int NotFound = 2;
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Each kind as <c>shm create</c> takes it, and entries to set (KEY VALUE; "new" appends or inserts).</summary>
    public static TheoryData<string, string[], string[][]> Kinds => new()
    {
        { "seq", ["--key", "long", "--value", "double"], [["1", "1.5"], ["-2", "0.1"], ["300", "1E+300"]] },
        { "striped", ["--key", "guid", "--value", "string32"], [["00000000-0000-0000-0000-000000000001", "one"], ["00000000-0000-0000-0000-000000000002", "two words"]] },
        { "folklore", ["--value", "int"], [["service-1/requests", "12"], ["a key longer than forty bytes, so it runs on into the next slot", "-3"]] },
        { "leftright", ["--key", "int", "--value", "ulong"], [["7", "18446744073709551615"], ["8", "0"]] },
        { "rw", ["--value", "long"], [["new", "5"], ["new", "6"]] },
        { "array", ["--value", "char"], [["0", "a"], ["9", "z"]] },
        { "vector", ["--value", "bool"], [["new", "True"], ["new", "False"], ["new", "True"]] },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AMapCreatedBySetByDumpedAndLoadedBackIsTheSame(string kind, string[] types, string[][] entries)
    {
        Assert.Equal(0, Run(["create", "orig", "--kind", kind, .. types, "--capacity", "10"]).Code);
        foreach (string[] entry in entries)
        {
            Assert.Equal(0, Run("set", "orig", entry[0], entry[1]).Code);
        }
        (int code, string dump) = Run("dump", "orig", "--format", "jsonl");
        Assert.Equal(0, code);
        string file = Path.Combine(_dir.Path, "orig.jsonl");
        File.WriteAllText(file, dump);
        (code, string loaded) = Run("load", "copy", file);
        Assert.True(code == 0, loaded);
        Assert.Contains($"{dump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1} entries loaded", loaded); // an array dumps every element
        Assert.Equal(MapEditor.Shape("orig", _dir.Options) with { Capacity = 0 }, MapEditor.Shape("copy", _dir.Options) with { Capacity = 0 });
        Assert.Equal(Entries("orig", kind), Entries("copy", kind));
        Assert.True(MapInspector.Check("copy", _dir.Options).IsSound);
        Assert.NotEqual(0, Run("load", "copy", file).Code); // a name that exists is refused
    }

    [Fact]
    public void SetOnAMissingMapSaysHowToCreateOne()
    {
        (int code, string output) = Run("set", "prices", "1", "101.5");
        Assert.Equal(NotFound, code);
        Assert.Contains("shm create prices --kind", output);
        Assert.EndsWith("\n", output);
        Assert.Equal(0, Run("create", "prices", "--kind", "seq", "--key", "long", "--value", "double", "--capacity", "1000").Code);
        Assert.Equal(0, Run("set", "prices", "1", "101.5").Code);
        Assert.Equal("101.5\n", Run("get", "prices", "1").Output);
        Assert.Contains("not a map kind", Run("create", "x", "--kind", "btree", "--value", "long", "--capacity", "1").Output);
        Assert.Contains("not a type shm knows", Run("create", "x", "--kind", "seq", "--key", "decimal", "--value", "long", "--capacity", "1").Output);
        Assert.Contains("2 or 4 bytes", Run("create", "x", "--kind", "folklore", "--value", "double", "--capacity", "1").Output);
        Assert.Contains("already exists", Run("create", "prices", "--kind", "seq", "--key", "long", "--value", "double", "--capacity", "1").Output);
    }

    [Fact]
    public void ACopyOfAMapWhileWritersWriteIsSoundAndHoldsEveryEntryWrittenBefore()
    {
        using var map = SeqMap<long, long>.Create("live", 1000, _dir.Options);
        for (long i = 0; i < 50_000; i++)
        {
            map.Insert(i, i * 7);
        }
        long writing = 1;
        var writer = new Thread(() =>
        {
            for (long i = 50_000; Volatile.Read(ref writing) != 0; i++)
            {
                map.Insert(i % 200_000, i * 7); // updates the first keys, adds others, grows the map under the copy
            }
        });
        writer.Start();
        string to = Path.Combine(_dir.Path, "elsewhere");
        Directory.CreateDirectory(to, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        (int code, string output) = Run("copy", "live", "--to", to);
        Volatile.Write(ref writing, 0);
        writer.Join();
        Assert.True(code == 0, output);
        var options = new ShmOptions { Directory = to };
        using var copy = SeqMap<long, long>.Open("live", options);
        for (long i = 0; i < 50_000; i++)
        {
            Assert.True(copy.TryGetValue(i, out long value), $"key {i} is missing from the copy");
            Assert.Equal(0, value % 7); // whole: some writer's value
        }
        Assert.True(MapInspector.Check("live", options).IsSound);
        Assert.True(new FileInfo(Path.Combine(to, "live.shm")).Length <= 4 * new FileInfo(_dir.FileOf("live")).Length);
    }

    /// <summary>A map's entries as <c>shm dump</c> gives them: by key, or by value for a store (whose ids are its own).</summary>
    private List<string> Entries(string name, string kind) =>
        [.. MapInspector.Dump(name, _dir.Options).Select(e => kind == "rw" ? e.Value : $"{e.Key}={e.Value}").Order(StringComparer.Ordinal)];

    private (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = ShmMaps.Tool.Program.Run([.. args, "--dir", _dir.Path], output, output);
        return (code, output.ToString().ReplaceLineEndings("\n"));
    }
}
