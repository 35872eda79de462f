using ShmMaps.Core.Files;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Core;

public sealed class NameAndFileTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("sp ace")]
    [InlineData("ünï")]
    [InlineData("semi;colon")]
    public void InvalidNamesAreArgumentExceptions(string name)
    {
        Assert.Throws<ArgumentException>(() => MapFiles.ValidateName(name));
        Assert.Throws<ArgumentException>(() => SeqMap<long, long>.Create(name, 8, _dir.Options));
    }

    [Fact]
    public void NamesOfUpTo128AllowedCharactersAreValid()
    {
        MapFiles.ValidateName("Az09._-x");
        MapFiles.ValidateName(new string('a', 128));
        Assert.Throws<ArgumentException>(() => MapFiles.ValidateName(new string('a', 129)));
    }

    [Fact]
    public void CreateMakesAnOwnerOnlyFileAndRefusesAnExistingName()
    {
        using var map = SeqMap<long, long>.Create("m", 8, _dir.Options);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.FileOf("m")));
        Assert.Throws<MapExistsException>(() => SeqMap<long, long>.Create("m", 8, _dir.Options));
    }

    [Fact]
    public void FileModeOptionIsAppliedExactly()
    {
        var options = new ShmOptions { Directory = _dir.Path, FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite };
        using var map = SeqMap<long, long>.Create("shared", 8, options);
        Assert.Equal(options.FileMode, File.GetUnixFileMode(_dir.FileOf("shared")));
    }

    [Fact]
    public void AFileOfAnotherOwnerIsRefusedUnlessSharingIsAllowed()
    {
        if (ShmMaps.Core.Platform.ShmPlatform.Current.EffectiveUserId != 0)
        {
            return; // only root can give a file away to check this
        }
        SeqMap<long, long>.Create("foreign", 8, _dir.Options).Dispose();
        var chown = System.Diagnostics.Process.Start("chown", ["65534", _dir.FileOf("foreign")]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
        var error = Assert.Throws<UnauthorizedAccessException>(() => SeqMap<long, long>.Open("foreign", _dir.Options));
        Assert.Contains("uid 65534", error.Message);
        using var shared = SeqMap<long, long>.Open("foreign", new ShmOptions { Directory = _dir.Path, RequireSameOwner = false });
        Assert.Equal(0, shared.Count);
    }

    [Fact]
    public void ADirectoryOthersCanWriteIsRefusedUnlessItIsStickyOrSharingIsAllowed()
    {
        SeqMap<long, long>.Create("m", 8, _dir.Options).Dispose();
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)Convert.ToInt32("777", 8));
        Assert.Contains("replace", Assert.Throws<IOException>(() => SeqMap<long, long>.Open("m", _dir.Options)).Message);
        Assert.Throws<IOException>(() => SeqMap<long, long>.Create("n", 8, _dir.Options));
        using (SeqMap<long, long>.Open("m", new ShmOptions { Directory = _dir.Path, RequireSameOwner = false }))
        {
        }
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)Convert.ToInt32("1777", 8));
        using (SeqMap<long, long>.Open("m", _dir.Options))
        {
        }
        // Writable by this user's own group (umask 002 with a group per user): nobody else may write it.
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)Convert.ToInt32("775", 8));
        using (SeqMap<long, long>.Open("m", _dir.Options))
        {
        }
        if (ShmMaps.Core.Platform.ShmPlatform.Current.EffectiveUserId == 0)
        {
            var chgrp = System.Diagnostics.Process.Start("chgrp", ["65534", _dir.Path]);
            chgrp.WaitForExit();
            Assert.Equal(0, chgrp.ExitCode);
            Assert.Throws<IOException>(() => SeqMap<long, long>.Open("m", _dir.Options));
        }
    }

    [Fact]
    public void AFileOthersMayWriteIsRefusedUnlessTheOptionsShareItSo()
    {
        SeqMap<long, long>.Create("m", 8, _dir.Options).Dispose();
        var groupWritable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        File.SetUnixFileMode(_dir.FileOf("m"), groupWritable);
        var error = Assert.Throws<UnauthorizedAccessException>(() => SeqMap<long, long>.Open("m", _dir.Options));
        Assert.Contains("660", error.Message);
        using (SeqMap<long, long>.Open("m", new ShmOptions { Directory = _dir.Path, FileMode = groupWritable }))
        {
        }
    }

    [Fact]
    public void OpenOfAMissingMapIsMapNotFound() =>
        Assert.Throws<MapNotFoundException>(() => SeqMap<long, long>.Open("missing", _dir.Options));

    [Fact]
    public void SymlinksAreNeverFollowed()
    {
        string target = Path.Combine(_dir.Path, "target");
        File.WriteAllText(target, "x");
        File.CreateSymbolicLink(_dir.FileOf("link"), target);
        Assert.Throws<CorruptMapException>(() => SeqMap<long, long>.Open("link", _dir.Options));
        Assert.Throws<MapExistsException>(() => SeqMap<long, long>.Create("link", 8, _dir.Options));
        Assert.Equal("x", File.ReadAllText(target));
    }

    [Fact]
    public void DeleteRemovesTheFileAndReportsAbsence()
    {
        SeqMap<long, long>.Create("gone", 8, _dir.Options).Dispose();
        Assert.True(SeqMap<long, long>.Delete("gone", _dir.Options));
        Assert.False(File.Exists(_dir.FileOf("gone")));
        Assert.False(SeqMap<long, long>.Delete("gone", _dir.Options));
    }

    [Fact]
    public void DirectoryComesFromOptionsThenEnvironment()
    {
        Assert.Equal(_dir.Path, MapFiles.DirectoryFor(_dir.Options));
        Assert.Equal(Path.Combine(_dir.Path, "x.shm"), MapFiles.PathFor("x", _dir.Options));
    }

    [Fact]
    public void EachUserHasADefaultDirectoryOfItsOwn()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/sbin/runuser") || Environment.GetEnvironmentVariable("SHMMAPS_DIR") is { Length: > 0 })
        {
            return; // needs root (to run a child as another user) and the default directory
        }
        // Another user (this one) has made its default directory, and the directory older versions shared, first.
        string name = $"per-user-{Guid.NewGuid():N}";
        using (var mine = SeqMap<long, long>.Create(name, 16))
        {
            Assert.Equal($"/dev/shm/shmmaps-{ShmMaps.Core.Platform.ShmPlatform.Current.EffectiveUserId}", Path.GetDirectoryName(mine.Region.Path));
        }
        SeqMap<long, long>.Delete(name);
        bool made = !Directory.Exists("/dev/shm/shmmaps");
        Directory.CreateDirectory("/dev/shm/shmmaps", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            using var nobody = ChildProcess.StartAs("nobody", "default-map", name);
            Assert.Equal("/dev/shm/shmmaps-65534", nobody.ReadLine());
            Assert.Equal("ok", nobody.ReadLine());
        }
        finally
        {
            if (made)
            {
                Directory.Delete("/dev/shm/shmmaps");
            }
        }
    }

    [Fact]
    public void OpenOrCreateFromManyThreadsYieldsOneMap()
    {
        var maps = new SeqMap<long, long>[8];
        using var start = new Barrier(maps.Length);
        Parallel.For(0, maps.Length, new ParallelOptions { MaxDegreeOfParallelism = maps.Length }, i =>
        {
            start.SignalAndWait();
            maps[i] = SeqMap<long, long>.OpenOrCreate("race", 64, _dir.Options);
            maps[i].Insert(i, i);
        });
        Assert.All(maps, m => Assert.Equal(maps.Length, m.Count));
        foreach (var map in maps)
        {
            map.Dispose();
        }
    }

    [Fact]
    public void OpenOrCreateFromTwoProcessesYieldsOneMap()
    {
        using var first = ChildProcess.Start("hold-lane", _dir.Path, "shared-race");
        using var second = ChildProcess.Start("hold-lane", _dir.Path, "shared-race");
        first.WaitFor("ready");
        second.WaitFor("ready");
        using var map = SeqMap<long, long>.Open("shared-race", _dir.Options);
        Assert.Equal(1, map.Count);
        Assert.Equal(1, map[1]);
        Assert.Single(Directory.GetFiles(_dir.Path));
    }
}
