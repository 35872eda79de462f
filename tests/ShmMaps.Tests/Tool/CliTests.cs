using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Tool;

public sealed class CliTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public CliTests()
    {
        using var map = SeqMap<long, FixedString32>.Create("people", 100, _dir.Options);
        map.Insert(1, "ada");
        map.Insert(2, "grace, \"amazing\"");
        using var arr = SeqArray<double>.Create("numbers", 3, _dir.Options);
        arr[1] = 2.5;
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ListShowsEveryMapWithKindAndCount()
    {
        (int code, string output) = Run("list", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("people", output);
        Assert.Contains("SeqMap", output);
        Assert.Contains("numbers", output);
        Assert.Contains("SeqArray", output);
    }

    [Fact]
    public void InfoDescribesTypesAndLanes()
    {
        (int code, string output) = Run("info", "people", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("System.Int64", output);
        Assert.Contains("ShmMaps.FixedString32", output);
        Assert.Contains("count:      2", output);
        (code, output) = Run("info", "people", "--dir", _dir.Path, "--json");
        Assert.Equal(0, code);
        Assert.Contains("\"kind\": \"SeqMap\"", output);
    }

    [Fact]
    public void AnyOwnerLetsRootInspectAndRecoverAnotherUsersMap()
    {
        if (ShmMaps.Core.Platform.ShmPlatform.Current.EffectiveUserId != 0)
        {
            return; // only root can give a file away to check this
        }
        var chown = System.Diagnostics.Process.Start("chown", ["65534", _dir.FileOf("people")]);
        chown.WaitForExit();
        (int code, string output) = Run("info", "people", "--dir", _dir.Path);
        Assert.Equal(4, code);
        Assert.Contains("uid 65534", output);
        (code, output) = Run("info", "people", "--dir", _dir.Path, "--any-owner");
        Assert.Equal(0, code);
        Assert.Contains("count:      2", output);
        (code, _) = Run("recover", "people", "--dir", _dir.Path, "--any-owner");
        Assert.Equal(0, code);
        Assert.Contains("unreadable", Run("list", "--dir", _dir.Path).Output);
        Assert.DoesNotContain("unreadable", Run("list", "--dir", _dir.Path, "--any-owner").Output);
    }

    [Fact]
    public void DumpDecodesFromTheHeaderTypeNames()
    {
        (int code, string table) = Run("dump", "people", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("ada", table);
        (code, string csv) = Run("dump", "people", "--dir", _dir.Path, "--format", "csv");
        Assert.Equal(0, code);
        Assert.Contains("\"grace, \"\"amazing\"\"\"", csv);
        (code, string json) = Run("dump", "numbers", "--dir", _dir.Path, "--format", "json");
        Assert.Equal(0, code);
        Assert.Contains("\"value\": \"2.5\"", json);
    }

    [Fact]
    public void CheckPassesOnASoundMapAndFailsOnADamagedOne()
    {
        Assert.Equal(0, Run("check", "people", "--dir", _dir.Path).Code);
        unsafe
        {
            using var map = SeqMap<long, FixedString32>.Open("people", _dir.Options);
            *(uint*)(map.CellOf(1) + 12) = 7; // an impossible cell state
        }
        (int code, string output) = Run("check", "people", "--dir", _dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("state 7", output);
    }

    [Fact]
    public void MissingAndDeletedMapsHaveTheirOwnExitCode()
    {
        Assert.Equal(2, Run("info", "nope", "--dir", _dir.Path).Code);
        Assert.Equal(0, Run("delete", "numbers", "--dir", _dir.Path).Code);
        Assert.Equal(2, Run("delete", "numbers", "--dir", _dir.Path).Code);
        Assert.Equal(64, Run("frobnicate").Code);
    }

    [Fact]
    public void ACorruptFileIsReportedNotCrashed()
    {
        File.WriteAllBytes(_dir.FileOf("junk"), new byte[8192]);
        (int code, string output) = Run("list", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("unreadable", output);
        Assert.Equal(3, Run("info", "junk", "--dir", _dir.Path).Code);
    }

    [Fact]
    public void EveryVerbOnAFileWhoseTypesCannotBeStoodInForEndsInOneLineAndListGoesOn()
    {
        foreach (string name in new[] { "a", "b", "c" })
        {
            using var map = SeqMap<long, long>.Create(name, 100, _dir.Options);
            map.Insert(1, 10);
        }
        foreach ((string name, uint size) in new[] { ("b", 0u), ("c", 1u << 20) })
        {
            // The value size, the checksum made right again: a header that passes its checks but names a type of 0 bytes or 1 MiB.
            byte[] bytes = File.ReadAllBytes(_dir.FileOf(name));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), size);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(576), ShmMaps.Core.Hashing.XxHash3.Hash(bytes.AsSpan(0, 576)));
            File.WriteAllBytes(_dir.FileOf(name), bytes);
        }
        (int code, string list) = Run("list", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Equal(3, list.Split('\n').Count(line => line.StartsWith('a') || line.StartsWith('b') || line.StartsWith('c')));
        foreach (string name in new[] { "b", "c" })
        {
            foreach (string[] verb in new[] { new[] { "info", name }, ["dump", name], ["get", name, "1"], ["set", name, "1", "2"], ["check", name] })
            {
                (code, string output) = Run([.. verb, "--dir", _dir.Path]);
                Assert.Contains(code, new[] { 0, 1, 2, 3, 4, 5, 64 });
                Assert.DoesNotContain("   at ", output);
                Assert.True(code == 0 || output.Trim().Split('\n').Length == 1, $"shm {string.Join(' ', verb)}: {output}");
            }
        }
    }

    [Fact]
    public void InfoDumpAndCheckUnderstandFolkloreMaps()
    {
        using (var map = FolkloreMap<int>.Create("hits", 100, _dir.Options))
        {
            map.Insert("/home", 12);
            map.Insert("/über", 3);
            map.Insert("/gone", 1);
            map.TryRemove("/gone", out _);
        }
        (int code, string info) = Run("info", "hits", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("FolkloreMap", info);
        Assert.Contains("count:      2", info);
        Assert.Contains("key slots:        3 of", info);
        Assert.Contains("wasted key slots: 0 no entry names", info);
        (code, string json) = Run("info", "hits", "--dir", _dir.Path, "--json");
        Assert.Equal(0, code);
        Assert.Contains("\"key slots\": \"3 of", json);
        (code, string dump) = Run("dump", "hits", "--dir", _dir.Path, "--format", "csv");
        Assert.Equal(0, code);
        Assert.Contains("/über,3", dump);
        Assert.DoesNotContain("/gone", dump);
        (code, string check) = Run("check", "hits", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("hits: ok", check);
    }

    [Fact]
    public void InfoDumpAndCheckUnderstandStripedMaps()
    {
        using (var map = StripedMap<long, double>.Create("balances", 100, stripeCount: 4, _dir.Options))
        {
            map[1] = 2.5;
            map[2] = -1;
        }
        (int code, string info) = Run("info", "balances", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("StripedMap", info);
        Assert.Contains("count:      2", info);
        Assert.Contains("stripes:          4 of", info);
        Assert.Contains("stripes locked:   none", info);
        (code, string dump) = Run("dump", "balances", "--dir", _dir.Path, "--format", "csv");
        Assert.Equal(0, code);
        Assert.Contains(",1,2.5", dump);
        Assert.Contains(",2,-1", dump);
        (code, string check) = Run("check", "balances", "--dir", _dir.Path);
        Assert.Equal(0, code);
        Assert.Contains("balances: ok", check);
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ShmMaps.Tool.Program.Run(args, output, error);
        return (code, output.ToString() + error);
    }
}
