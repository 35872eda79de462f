using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>The writer service in a host started in this process, fed by a test source.</summary>
public sealed class WriterServiceTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReaderProcessesSeeEveryBatchWhole()
    {
        const int keys = 50;
        int batches = Stress.Pick(300, 3_000);
        var source = new ChannelChangeSource<long, long>();
        // Batches of exactly one source batch (keys + 1 changes); the delay never cuts one short.
        using IHost host = StartHost("whole", source, new ShmMapSettings { Capacity = 1_000, MaxBatch = keys + 1, MaxDelay = TimeSpan.FromMinutes(5) });
        WriterStatus status = Status(host, "whole");
        WaitUntil(() => status.WriterHeld);
        var readers = Enumerable.Range(0, 2).Select(_ => ChildProcess.Start("leftright-read", _dir.Path, "whole", keys, batches)).ToList();
        readers.ForEach(r => Assert.Equal("ready", r.ReadLine()));
        for (long batch = 1; batch <= batches; batch++)
        {
            foreach ((long key, long? value) in LeftRightChildRoles.Batch(keys, batch))
            {
                if (value is { } set)
                {
                    source.Set(key, set);
                }
                else
                {
                    source.Remove(key);
                }
            }
        }
        foreach (ChildProcess reader in readers)
        {
            Assert.StartsWith("ok", reader.ReadLine(TimeSpan.FromSeconds(120)));
            reader.Dispose();
        }
        Assert.Equal(batches, status.Publishes);
        host.StopAsync().Wait();
        Assert.False(status.WriterHeld);
    }

    [Fact]
    public void StoppingPublishesTheChangesAlreadyRead()
    {
        var source = new ChannelChangeSource<long, long>();
        using IHost host = StartHost("last", source, new ShmMapSettings { MaxBatch = 1_000, MaxDelay = TimeSpan.FromHours(1) });
        WriterStatus status = Status(host, "last");
        WaitUntil(() => status.WriterHeld);
        for (long key = 1; key <= 5; key++)
        {
            source.Set(key, key * 10);
        }
        WaitUntil(() => status.OldestPending is not null && source.Pending == 0);
        Assert.Equal(0, status.Publishes);
        host.StopAsync().Wait();

        using var reader = LeftRightMap.OpenReader<long, long>("last", _dir.Options);
        using ReadGuard<long, long> guard = reader.Guard();
        Assert.Equal(5, guard.Count);
        Assert.Equal(30, guard.Get(3));
        Assert.Equal(1, status.Publishes);
        // The writer was released: another one may take it at once.
        using LeftRightWriter<long, long> next = LeftRightMap.OpenWriter<long, long>("last", _dir.Options);
    }

    [Fact]
    public void HealthFollowsTheWriterThePendingChangesAndTheReaders()
    {
        var source = new ChannelChangeSource<long, long>();
        var settings = new ShmMapSettings { MaxBatch = 1_000, MaxDelay = TimeSpan.FromMilliseconds(10), StaleAfter = TimeSpan.FromMilliseconds(300) };
        using IHost host = StartHost("health", source, settings);
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        WriterStatus status = Status(host, "health");
        WaitUntil(() => status.WriterHeld);
        source.Set(1, 1);
        WaitUntil(() => status.Publishes == 1);
        HealthReport report = health.CheckHealthAsync().Result;
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(1L, report.Entries["shmmap-health"].Data["entries"]);

        // A reader killed inside its guard leaves a slot pinned: degraded until the writer frees it.
        using (var holder = ChildProcess.Start("leftright-hold-guard", _dir.Path, "health"))
        {
            Assert.StartsWith("ready", holder.ReadLine());
            holder.Kill();
        }
        report = health.CheckHealthAsync().Result;
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("dead", report.Entries["shmmap-health"].Description);
        // Two publishes: the writer waits for (and so frees) the dead slot when it next writes the copy the slot pinned.
        source.Set(2, 2);
        WaitUntil(() => status.Publishes == 2);
        source.Set(3, 3);
        WaitUntil(() => status.Publishes == 3);
        Assert.Equal(HealthStatus.Healthy, health.CheckHealthAsync().Result.Status);

        host.StopAsync().Wait();
        report = health.CheckHealthAsync().Result;
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("does not hold the writer", report.Entries["shmmap-health"].Description);
    }

    [Fact]
    public void ChangesWaitingPastStaleAfterAreUnhealthy()
    {
        var source = new ChannelChangeSource<long, long>();
        using IHost host = StartHost("stale", source, new ShmMapSettings { MaxBatch = 1_000, MaxDelay = TimeSpan.FromHours(1), StaleAfter = TimeSpan.FromMilliseconds(100) });
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        WriterStatus status = Status(host, "stale");
        WaitUntil(() => status.WriterHeld);
        Assert.Equal(HealthStatus.Healthy, health.CheckHealthAsync().Result.Status);
        source.Set(1, 1);
        WaitUntil(() => status.OldestPending is not null);
        Thread.Sleep(200);
        HealthReport report = health.CheckHealthAsync().Result;
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("unpublished", report.Entries["shmmap-stale"].Description);
    }

    [Fact]
    public void AFullMapIsNeverConfirmedPastWhatItRefusedAndStopsUnhealthy()
    {
        var source = new ChannelChangeSource<long, long>();
        using IHost host = StartHost("full", source, new ShmMapSettings { Capacity = 10, MaxCapacity = 10, MaxBatch = 100, MaxDelay = TimeSpan.FromMilliseconds(10) });
        WriterStatus status = Status(host, "full");
        WaitUntil(() => status.WriterHeld);
        for (long key = 0; key < 1_000; key++)
        {
            source.Set(key, key);
        }
        WaitUntil(() => status.Failure is not null);
        Assert.Contains("is full", status.Failure);
        Assert.Contains("not confirmed", source.NotPublished);
        Assert.True(source.Confirmed < 100, $"confirmed up to {source.Confirmed}, past the first batch the map refused");
        Assert.False(status.WriterHeld);
        HealthReport report = host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().Result;
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        using var reader = LeftRightMap.OpenReader<long, long>("full", _dir.Options);
        using ReadGuard<long, long> guard = reader.Guard();
        Assert.InRange(guard.Count, 10, 999); // readers keep what was published
    }

    [Fact]
    public void SettingsOutOfRangeAreRefusedAtStart()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => StartHost("bad", new ChannelChangeSource<long, long>(), new ShmMapSettings { MaxBatch = 0 }));
        Assert.Contains("ShmMaps:Maps:bad:MaxBatch", error.Message);
    }

    [Fact]
    public void ASecondWriterIsRefusedWithTheOwnersPid()
    {
        var source = new ChannelChangeSource<long, long>();
        using IHost host = StartHost("busy", source, new ShmMapSettings());
        WaitUntil(() => Status(host, "busy").WriterHeld);
        var error = Assert.Throws<WriterBusyException>(() => LeftRightMap.OpenWriter<long, long>("busy", _dir.Options));
        Assert.Contains($"pid {Environment.ProcessId}", error.Message);

        File.WriteAllText(Path.Combine(_dir.Path, "busy.csv"), "1,1\n");
        using var sidecar = ChildProcess.Start("cli", "sidecar", "--map", "busy", "--from", Path.Combine(_dir.Path, "busy.csv"), "--value", "long", "--dir", _dir.Path);
        Assert.Contains($"pid {Environment.ProcessId}", sidecar.WaitForContaining("shm: "));
        Assert.NotEqual(0, sidecar.WaitForExit());
    }

    private IHost StartHost(string map, IChangeSource<long, long> source, ShmMapSettings settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddShmMaps(options =>
        {
            options.Directory = _dir.Path;
            options.Maps[map] = settings;
        }).AddWriter(map, _ => source);
        IHost host = builder.Build();
        host.Start();
        return host;
    }

    private static WriterStatus Status(IHost host, string map) => host.Services.GetRequiredKeyedService<WriterStatus>(map);

    internal static void WaitUntil(Func<bool> condition, int seconds = 30)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            Thread.Sleep(5);
        }
    }
}
