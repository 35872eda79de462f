using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ShmMaps.Hosting;
using ShmMaps.Tool.Commands;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Sidecar;

/// <summary>
/// <c>shm sidecar</c>: a Generic Host running one <see cref="ShmMapWriterService{TKey, TValue}"/> that keeps a
/// <c>LeftRightMap&lt;long|FixedString32, long|double&gt;</c> filled from a change file, or a replica of a PostgreSQL table
/// (<c>--postgres</c>). Ctrl+C and SIGTERM publish what was read and release the writer; a file read without
/// <c>--follow</c> ends it once loaded.
/// </summary>
internal static class SidecarCommand
{
    public static int Run(SidecarVerb verb, TextWriter error) => (verb.Key, verb.Value) switch
    {
        ("long", "long") => Run<long, long>(verb, error),
        ("long", "double") => Run<long, double>(verb, error),
        ("string", "long") => Run<FixedString32, long>(verb, error),
        ("string", "double") => Run<FixedString32, double>(verb, error),
        ("long" or "string", _) => throw new ArgumentException($"--value must be long or double, not '{verb.Value}'"),
        _ => throw new ArgumentException($"--key must be long or string, not '{verb.Key}'"),
    };

    private static int Run<TKey, TValue>(SidecarVerb verb, TextWriter error)
        where TKey : unmanaged, IEquatable<TKey>, ISpanParsable<TKey>
        where TValue : unmanaged, ISpanParsable<TValue>
    {
        if ((verb.From is null) == (verb.Postgres is null))
        {
            throw new ArgumentException("give either --from FILE or --postgres CONNECTION");
        }
        if (!Enum.TryParse(verb.Format, ignoreCase: true, out LineFormat format))
        {
            throw new ArgumentException($"--format must be auto, csv or jsonlines, not '{verb.Format}'");
        }
        if (verb.Postgres is not null && PostgresSourceSettings.HoldsPassword(verb.Postgres))
        {
            throw new FormatException(
                "--postgres holds a password, which every user of this machine sees in the process list (ps): leave it out, and give it in " +
                "PGPASSWORD, a passfile (~/.pgpass, or PGPASSFILE), or the configuration (ShmMaps:Maps:NAME:Postgres:ConnectionString)");
        }
        PostgresSourceSettings? postgres = verb.Postgres is null ? null : new PostgresSourceSettings
        {
            ConnectionString = verb.Postgres,
            Table = verb.Table,
            KeyColumn = verb.KeyColumn,
            ValueColumn = verb.ValueColumn,
            Slot = verb.Slot,
        };
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = false });
        builder.Logging.SetMinimumLevel(verb.Verbose ? LogLevel.Debug : LogLevel.Information);
        if (verb.Json)
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }
        ShmMapsBuilder maps = builder.Services.AddShmMaps(options =>
        {
            options.Directory = verb.Directory;
            options.Maps[verb.Map] = new ShmMapSettings
            {
                Capacity = verb.Capacity,
                MaxCapacity = verb.MaxCapacity,
                MaxBatch = verb.MaxBatch,
                MaxDelay = TimeSpan.FromMilliseconds(verb.MaxDelayMilliseconds),
                Postgres = postgres,
            };
        });
        if (postgres is not null)
        {
            postgres.Validate(verb.Map);
            maps.AddPostgresReplica<TKey, TValue>(verb.Map);
        }
        else
        {
            maps.AddWriter(verb.Map, provider => new FileChangeSource<TKey, TValue>(
                new FileChangeSourceOptions
                {
                    Path = Path.GetFullPath(verb.From!),
                    Follow = verb.Follow,
                    Format = format,
                    PollInterval = TimeSpan.FromMilliseconds(Math.Max(1, verb.PollMilliseconds)),
                },
                provider.GetRequiredService<ILogger<FileChangeSource<TKey, TValue>>>(),
                provider.GetRequiredService<ShmMapsMetrics>()));
        }
        using IHost host = builder.Build();
        host.Start();
        var service = host.Services.GetServices<IHostedService>().OfType<ShmMapWriterService<TKey, TValue>>().Single();
        if (postgres is null && !verb.Follow)
        {
            // Loading once: stop when the service has published the whole file (or failed).
            service.ExecuteTask?.ContinueWith(_ => host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication(), TaskScheduler.Default);
        }
        host.WaitForShutdown();
        if (service.Status.Failure is { } failure)
        {
            error.WriteLine($"shm: {failure}");
            return ExitCodes.Error;
        }
        return ExitCodes.Ok;
    }
}
