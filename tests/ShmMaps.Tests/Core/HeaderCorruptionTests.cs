using ShmMaps.Core.Region;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Core;

/// <summary>A damaged file is a clear exception naming the problem, never an access violation.</summary>
public sealed class HeaderCorruptionTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryBitFlipInTheImmutableHeaderIsDetected()
    {
        CreateMap("flip");
        byte[] original = File.ReadAllBytes(_dir.FileOf("flip"));
        int step = Stress.Pick(quick: 7, full: 1);
        for (int offset = 0; offset < MapHeader.ChecksummedLength + 8; offset += step)
        {
            for (int bit = 0; bit < 8; bit += step == 1 ? 1 : 3)
            {
                byte[] damaged = (byte[])original.Clone();
                damaged[offset] ^= (byte)(1 << bit);
                File.WriteAllBytes(_dir.FileOf("flip"), damaged);
                var error = Assert.ThrowsAny<ShmMapException>(() => SeqMap<long, long>.Open("flip", _dir.Options));
                Assert.True(error is CorruptMapException or LayoutMismatchException, $"offset {offset} bit {bit}: {error.GetType()}");
                Assert.Contains("header field", error.Message);
            }
        }
    }

    [Fact]
    public void ATruncatedFileIsCorrupt()
    {
        CreateMap("short");
        using (var file = new FileStream(_dir.FileOf("short"), FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }
        var error = Assert.Throws<CorruptMapException>(() => SeqMap<long, long>.Open("short", _dir.Options));
        Assert.Contains("file length", error.Message);

        using (var file = new FileStream(_dir.FileOf("short"), FileMode.Open))
        {
            file.SetLength(100);
        }
        Assert.Throws<CorruptMapException>(() => SeqMap<long, long>.Open("short", _dir.Options));
    }

    [Fact]
    public void AZeroedHeaderIsAnUnfinishedMap()
    {
        CreateMap("zeros");
        byte[] bytes = File.ReadAllBytes(_dir.FileOf("zeros"));
        Array.Clear(bytes, 0, MapHeader.Size);
        File.WriteAllBytes(_dir.FileOf("zeros"), bytes);
        var error = Assert.Throws<CorruptMapException>(() => SeqMap<long, long>.Open("zeros", _dir.Options));
        Assert.Contains("never finished", error.Message);
    }

    [Fact]
    public void AnEmptyFileIsAnUnfinishedMap()
    {
        File.WriteAllBytes(_dir.FileOf("empty"), []);
        File.SetUnixFileMode(_dir.FileOf("empty"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Throws<CorruptMapException>(() => SeqMap<long, long>.Open("empty", _dir.Options));
    }

    [Fact]
    public void ARandomFileIsNotAMap()
    {
        byte[] noise = new byte[64 * 1024];
        new Random(5).NextBytes(noise);
        File.WriteAllBytes(_dir.FileOf("noise"), noise);
        var error = Assert.ThrowsAny<ShmMapException>(() => SeqMap<long, long>.Open("noise", _dir.Options));
        Assert.True(error is CorruptMapException or LayoutMismatchException);
    }

    [Fact]
    public void WrongTypesOrKindAreLayoutMismatches()
    {
        CreateMap("typed");
        Assert.Contains("value type", Assert.Throws<LayoutMismatchException>(() => SeqMap<long, int>.Open("typed", _dir.Options)).Message);
        Assert.Contains("key type", Assert.Throws<LayoutMismatchException>(() => SeqMap<ulong, long>.Open("typed", _dir.Options)).Message);
        Assert.Contains("kind", Assert.Throws<LayoutMismatchException>(() => SeqArray<long>.Open("typed", _dir.Options)).Message);
    }

    [Fact]
    public void DamagedCellRegionExtentsAreCaughtByTheMapKind()
    {
        CreateMap("params");
        // Kind parameter 0 (the cell count) is covered by the checksum; rewrite it and the checksum.
        byte[] bytes = File.ReadAllBytes(_dir.FileOf("params"));
        BitConverter.GetBytes(1L << 40).CopyTo(bytes, 360);
        unsafe
        {
            fixed (byte* header = bytes)
            {
                ulong checksum = HeaderValidator.Checksum((MapHeader*)header);
                BitConverter.GetBytes(checksum).CopyTo(bytes, 576);
            }
        }
        File.WriteAllBytes(_dir.FileOf("params"), bytes);
        Assert.Throws<CorruptMapException>(() => SeqMap<long, long>.Open("params", _dir.Options));
    }

    private void CreateMap(string name)
    {
        // A map that cannot grow: its file is small enough to damage whole.
        using var map = SeqMap<long, long>.Create(name, 100, new ShmOptions { Directory = _dir.Path, MaxCapacity = 100 });
        map.Insert(1, 2);
    }
}
