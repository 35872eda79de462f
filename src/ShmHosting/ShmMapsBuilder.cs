using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ShmMaps.Hosting;

/// <summary>Registers maps after <see cref="ShmMapsServiceCollectionExtensions.AddShmMaps(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.</summary>
public sealed class ShmMapsBuilder
{
    internal ShmMapsBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Runs a writer service for map <paramref name="mapName"/> fed by the source <paramref name="source"/> makes, and
    /// registers its health check (named <c>shmmap-NAME</c>) and its <see cref="WriterStatus"/> (keyed by the name).
    /// </summary>
    public ShmMapsBuilder AddWriter<TKey, TValue>(string mapName, Func<IServiceProvider, IChangeSource<TKey, TValue>> source)
        where TKey : unmanaged, IEquatable<TKey>
        where TValue : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(mapName);
        Services.AddSingleton<IHostedService>(provider => new ShmMapWriterService<TKey, TValue>(mapName, source(provider),
            provider.GetRequiredService<IOptions<ShmMapsOptions>>(), provider.GetRequiredService<ShmMapsMetrics>(),
            provider.GetRequiredService<ILogger<ShmMapWriterService<TKey, TValue>>>(), provider.GetRequiredService<IHostApplicationLifetime>()));
        return AddStatusAndHealth(mapName);
    }

    private ShmMapsBuilder AddStatusAndHealth(string mapName)
    {
        Services.AddKeyedSingleton(mapName, (provider, _) => provider.GetRequiredService<ShmMapsMetrics>().Register(mapName));
        Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            $"shmmap-{mapName}",
            provider => new ShmMapWriterHealthCheck(mapName, provider.GetRequiredService<ShmMapsMetrics>(), provider.GetRequiredService<IOptions<ShmMapsOptions>>()),
            failureStatus: null, tags: ["shmmaps"]));
        return this;
    }

    /// <summary>
    /// Runs a <see cref="BlobMapWriterService"/> for blob map <paramref name="mapName"/> fed by the source <paramref name="source"/>
    /// makes, with the health check and <see cref="WriterStatus"/> of <see cref="AddWriter{TKey, TValue}"/>.
    /// </summary>
    public ShmMapsBuilder AddBlobWriter(string mapName, Func<IServiceProvider, IChangeSource<string, byte[]>> source)
    {
        ArgumentException.ThrowIfNullOrEmpty(mapName);
        Services.AddSingleton<IHostedService>(provider => new BlobMapWriterService(mapName, source(provider),
            provider.GetRequiredService<IOptions<ShmMapsOptions>>(), provider.GetRequiredService<ShmMapsMetrics>(),
            provider.GetRequiredService<ILogger<BlobMapWriterService>>(), provider.GetRequiredService<IHostApplicationLifetime>()));
        return AddStatusAndHealth(mapName);
    }

    /// <summary>
    /// Runs a writer service that fills map <paramref name="mapName"/> from the file its settings name
    /// (<c>ShmMaps:Maps:NAME:File</c>, see <see cref="FileChangeSourceOptions"/>), with <see cref="AddWriter{TKey, TValue}"/>'s
    /// health check and metrics.
    /// </summary>
    public ShmMapsBuilder AddFileSource<TKey, TValue>(string mapName)
        where TKey : unmanaged, IEquatable<TKey>, ISpanParsable<TKey>
        where TValue : unmanaged, ISpanParsable<TValue> =>
        AddWriter(mapName, provider =>
        {
            FileChangeSourceOptions file = provider.GetRequiredService<IOptions<ShmMapsOptions>>().Value.For(mapName).File
                ?? throw new ArgumentException($"ShmMaps:Maps:{mapName}:File is not configured");
            return new FileChangeSource<TKey, TValue>(file, provider.GetRequiredService<ILogger<FileChangeSource<TKey, TValue>>>(),
                provider.GetRequiredService<ShmMapsMetrics>());
        });

    /// <summary>
    /// Runs a writer service that keeps map <paramref name="mapName"/> a replica of the PostgreSQL table its settings name
    /// (<c>ShmMaps:Maps:NAME:Postgres</c>, see <see cref="PostgresSourceSettings"/>), with <see cref="AddWriter{TKey, TValue}"/>'s
    /// health check and metrics.
    /// </summary>
    public ShmMapsBuilder AddPostgresReplica<TKey, TValue>(string mapName)
        where TKey : unmanaged, IEquatable<TKey>, ISpanParsable<TKey>
        where TValue : unmanaged, ISpanParsable<TValue> =>
        AddWriter(mapName, provider =>
        {
            ShmMapsOptions options = provider.GetRequiredService<IOptions<ShmMapsOptions>>().Value;
            PostgresSourceSettings settings = options.For(mapName).Postgres
                ?? throw new ArgumentException($"ShmMaps:Maps:{mapName}:Postgres is not configured");
            return new PostgresChangeSource<TKey, TValue>(mapName, settings, options.ToShmOptions(mapName),
                provider.GetRequiredService<ILogger<PostgresChangeSource<TKey, TValue>>>(), provider.GetRequiredService<ShmMapsMetrics>());
        });

    /// <summary>
    /// Runs a <see cref="BlobMapWriterService"/> that keeps blob map <paramref name="mapName"/> a replica of the PostgreSQL
    /// table its settings name (<c>ShmMaps:Maps:NAME:Postgres</c>: whole rows as JSON with <see cref="PostgresSourceSettings.Row"/>,
    /// or one column; see <see cref="PostgresBlobChangeSource"/>), with <see cref="AddWriter{TKey, TValue}"/>'s health check and metrics.
    /// </summary>
    public ShmMapsBuilder AddPostgresBlobReplica(string mapName) =>
        AddBlobWriter(mapName, provider =>
        {
            ShmMapsOptions options = provider.GetRequiredService<IOptions<ShmMapsOptions>>().Value;
            PostgresSourceSettings settings = options.For(mapName).Postgres
                ?? throw new ArgumentException($"ShmMaps:Maps:{mapName}:Postgres is not configured");
            return new PostgresBlobChangeSource(mapName, settings, options.ToShmOptions(mapName),
                provider.GetRequiredService<ILogger<PostgresBlobChangeSource>>(), provider.GetRequiredService<ShmMapsMetrics>());
        });

    /// <summary>
    /// Registers a <see cref="LeftRightReader{TKey, TValue}"/> of map <paramref name="mapName"/> as a keyed singleton
    /// (key: the name), opened on first use with the configured directory.
    /// </summary>
    public ShmMapsBuilder AddReader<TKey, TValue>(string mapName)
        where TKey : unmanaged, IEquatable<TKey>
        where TValue : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(mapName);
        Services.AddKeyedSingleton(mapName, (provider, _) =>
            LeftRightMap.OpenReader<TKey, TValue>(mapName, provider.GetRequiredService<IOptions<ShmMapsOptions>>().Value.ToShmOptions(mapName)));
        return this;
    }
}
