using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ShmMaps.Hosting;
using ShmMaps.Tool.Commands;
using ShmMaps.Tool.Verbs;

namespace ShmMaps.Tool.Sidecar;

/// <summary>
/// <c>shm sidecar</c>: a Generic Host running one writer service that keeps a map filled from a change file, or a replica
/// of a PostgreSQL table (<c>--postgres</c>): a <c>LeftRightMap&lt;long|FixedString32, long|double&gt;</c>
/// (<see cref="ShmMapWriterService{TKey, TValue}"/>), or a <see cref="BlobMap"/> of strings, JSON, bytes or whole rows
/// (<see cref="BlobMapWriterService"/>). Ctrl+C and SIGTERM publish what was read and release the writer; a file read without
/// <c>--follow</c> ends it once loaded.
/// </summary>
internal static class SidecarCommand
{
    public static int Run(SidecarVerb verb, TextWriter error) => (verb.Key, verb.Value ?? (verb.Row ? "json" : "double")) switch
    {
        ("string", "json") when verb.Row => RunBlob(verb, BlobValueFormat.Json, error),
        (_, _) when verb.Row => throw new ArgumentException("--row stores each row as a JSON object in a blob map: --key string, and --value json or none"),
        ("string", "string" or "json" or "bytes") => RunBlob(verb, BlobValueFormats.Parse(verb.Value!), error),
        (_, "string" or "json" or "bytes") => throw new ArgumentException($"a blob map (--value {verb.Value}) has string keys: --key string"),
        ("long", "long") => Run<long, long>(verb, error),
        ("long", "double") => Run<long, double>(verb, error),
        ("string", "long") => Run<FixedString32, long>(verb, error),
        ("string", "double") => Run<FixedString32, double>(verb, error),
        ("long" or "string", _) => throw new ArgumentException($"--value must be long or double (a LeftRightMap), or string, json or bytes (a BlobMap), not '{verb.Value}'"),
        _ => throw new ArgumentException($"--key must be long or string, not '{verb.Key}'"),
    };

    private static int Run<TKey, TValue>(SidecarVerb verb, TextWriter error)
        where TKey : unmanaged, IEquatable<TKey>, ISpanParsable<TKey>
        where TValue : unmanaged, ISpanParsable<TValue>
    {
        LineFormat format = Check(verb);
        PostgresSourceSettings? postgres = PostgresOf(verb);
        return RunHost(verb, postgres, maps =>
        {
            if (postgres is not null)
            {
                maps.AddPostgresReplica<TKey, TValue>(verb.Map);
            }
            else
            {
                maps.AddWriter(verb.Map, provider => FileSource<TKey, TValue>(verb, format, provider));
            }
        }, services =>
        {
            ShmMapWriterService<TKey, TValue> service = services.OfType<ShmMapWriterService<TKey, TValue>>().Single();
            return (service.ExecuteTask, service.Status);
        }, error);
    }

    /// <summary>A <see cref="BlobMap"/> filled from a change file whose values are text in <paramref name="valueFormat"/>.</summary>
    private static int RunBlob(SidecarVerb verb, BlobValueFormat valueFormat, TextWriter error)
    {
        LineFormat format = Check(verb);
        PostgresSourceSettings? postgres = PostgresOf(verb);
        if (postgres is not null)
        {
            postgres.ValueFormat = valueFormat;
        }
        return RunHost(verb, postgres, maps =>
            {
                if (postgres is not null)
                {
                    maps.AddPostgresBlobReplica(verb.Map);
                }
                else
                {
                    maps.AddBlobWriter(verb.Map, provider => new BlobChangeSource(
                        FileSource<string, string>(verb, format, provider), valueFormat, provider.GetRequiredService<ILogger<BlobChangeSource>>()));
                }
            },
            services =>
            {
                BlobMapWriterService service = services.OfType<BlobMapWriterService>().Single();
                return (service.ExecuteTask, service.Status);
            }, error);
    }

    private static LineFormat Check(SidecarVerb verb)
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
        return format;
    }

    private static PostgresSourceSettings? PostgresOf(SidecarVerb verb) => verb.Postgres is null ? null : new PostgresSourceSettings
    {
        ConnectionString = verb.Postgres,
        Table = verb.Table,
        KeyColumn = verb.KeyColumn,
        ValueColumn = verb.ValueColumn,
        Row = verb.Row,
        Columns = verb.Columns?.ToArray() is { Length: > 0 } columns ? columns : null,
        Slot = verb.Slot,
    };

    private static FileChangeSource<TKey, TValue> FileSource<TKey, TValue>(SidecarVerb verb, LineFormat format, IServiceProvider provider)
        where TKey : ISpanParsable<TKey>
        where TValue : ISpanParsable<TValue> =>
        new(new FileChangeSourceOptions
            {
                Path = Path.GetFullPath(verb.From!),
                Follow = verb.Follow,
                Format = format,
                PollInterval = TimeSpan.FromMilliseconds(Math.Max(1, verb.PollMilliseconds)),
            },
            provider.GetRequiredService<ILogger<FileChangeSource<TKey, TValue>>>(),
            provider.GetRequiredService<ShmMapsMetrics>());

    /// <summary>Runs the host with the writer <paramref name="register"/> adds until stopped (or, for a file read once, until loaded).</summary>
    private static int RunHost(SidecarVerb verb, PostgresSourceSettings? postgres, Action<ShmMapsBuilder> register,
        Func<IEnumerable<IHostedService>, (Task? Execute, WriterStatus Status)> writer, TextWriter error)
    {
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
        postgres?.Validate(verb.Map);
        register(maps);
        using IHost host = builder.Build();
        host.Start();
        (Task? execute, WriterStatus status) = writer(host.Services.GetServices<IHostedService>());
        if (postgres is null && !verb.Follow)
        {
            // Loading once: stop when the service has written the whole file (or failed).
            execute?.ContinueWith(_ => host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication(), TaskScheduler.Default);
        }
        host.WaitForShutdown();
        if (status.Failure is { } failure)
        {
            error.WriteLine($"shm: {failure}");
            return ExitCodes.Error;
        }
        return ExitCodes.Ok;
    }
}
