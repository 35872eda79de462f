using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ShmMaps.Hosting;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Hosting;

/// <summary>The ShmMaps section bound to options, and maps registered for injection.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheSectionBindsAndReadersAreInjectedByName()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ShmMaps:Directory"] = _dir.Path,
            ["ShmMaps:LockTimeout"] = "00:00:02",
            ["ShmMaps:Maps:prices:Capacity"] = "5000",
            ["ShmMaps:Maps:prices:MaxBatch"] = "64",
            ["ShmMaps:Maps:prices:MaxDelay"] = "00:00:00.020",
            ["ShmMaps:Maps:prices:ReaderSlots"] = "8",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddShmMaps(configuration.GetSection(ShmMapsOptions.SectionName)).AddReader<long, double>("prices");
        using ServiceProvider provider = services.BuildServiceProvider();

        ShmMapsOptions options = provider.GetRequiredService<IOptions<ShmMapsOptions>>().Value;
        Assert.Equal(_dir.Path, options.Directory);
        ShmMapSettings prices = options.For("prices");
        Assert.Equal(5000, prices.Capacity);
        Assert.Equal(64, prices.MaxBatch);
        Assert.Equal(TimeSpan.FromMilliseconds(20), prices.MaxDelay);
        Assert.Equal(1_000, options.For("other").MaxBatch);
        ShmOptions shm = options.ToShmOptions("prices");
        Assert.Equal(TimeSpan.FromSeconds(2), shm.LockTimeout);
        Assert.Equal(8, shm.ReaderSlots);

        using (LeftRightWriter<long, double> writer = LeftRightMap.CreateWriter<long, double>("prices", prices.Capacity, shm))
        {
            using (WriteGuard<long, double> guard = writer.Guard())
            {
                guard.Insert(1, 101.25);
            }
        }
        var reader = provider.GetRequiredKeyedService<LeftRightReader<long, double>>("prices");
        using ReadGuard<long, double> snapshot = reader.Guard();
        Assert.Equal(101.25, snapshot.Get(1));
    }
}
