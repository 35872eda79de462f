using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>The instruments of meter ShmMaps, as a listener (dotnet-counters is one) sees them.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void PublishesBatchSizeLatencyEntriesAndCapacityUsedAreMeasured()
    {
        var seen = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ShmMapsMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        var source = new ChannelChangeSource<long, long>();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddShmMaps(options =>
        {
            options.Directory = _dir.Path;
            options.Maps["metered"] = new ShmMapSettings { Capacity = 100, MaxBatch = 10, MaxDelay = TimeSpan.FromMinutes(1) };
        }).AddWriter("metered", _ => source);
        using IHost host = builder.Build();
        host.Start();
        for (long key = 0; key < 20; key++)
        {
            source.Set(key, key);
        }
        WriterStatus status = host.Services.GetRequiredKeyedService<WriterStatus>("metered");
        WriterServiceTests.WaitUntil(() => status.Publishes == 2);
        listener.RecordObservableInstruments();
        host.StopAsync().Wait();

        Assert.Equal(2, seen["shmmaps.publishes"]);
        Assert.Equal(10, seen["shmmaps.publish.batch_size"]);
        Assert.True(seen["shmmaps.publish.duration"] > 0);
        Assert.Equal(20, seen["shmmaps.entries"]);
        Assert.Equal(0.2, seen["shmmaps.capacity.used"], 3);

        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // Hosts of other tests in this process measure their maps on meters of the same name.
            if (!tags.ToArray().Any(tag => tag.Key == "map" && (string?)tag.Value == "metered"))
            {
                return;
            }
            seen.AddOrUpdate(instrument.Name, value, (_, old) => instrument is Counter<long> ? old + value : value);
        }
    }
}
