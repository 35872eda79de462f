using System.Globalization;

namespace ShmMaps.Workload;

/// <summary>One measurement: a store under a mix of operations, by so many processes, over so many keys.</summary>
/// <param name="Store">The store (see <see cref="Stores"/>).</param>
/// <param name="Mix">The operations (see <see cref="Mix"/>).</param>
/// <param name="Distribution">How keys are chosen: uniform or zipfian (θ = 0.99, scrambled as YCSB does).</param>
/// <param name="Keys">How many keys the store holds.</param>
/// <param name="ValueSize">Bytes per value: 8 or 100.</param>
/// <param name="Processes">How many processes (threads, for a store that lives in one process) run the mix at once.</param>
/// <param name="Seconds">How long each process runs it.</param>
/// <param name="Directory">Where file-backed stores live.</param>
/// <param name="MaxLoad">The <see cref="ShmOptions.MaxLoad"/> ShmMaps tables are created with (null: the default).</param>
internal sealed record RunSpec(
    string Store, Mix Mix, string Distribution, long Keys, int ValueSize, int Processes, double Seconds, string Directory, double? MaxLoad)
{
    /// <summary>The arguments a worker process is started with.</summary>
    public string[] ToArguments() =>
    [
        "--store", Store, "--mix", Mix.ToString(), "--distribution", Distribution, "--keys", Keys.ToString(CultureInfo.InvariantCulture),
        "--value-size", ValueSize.ToString(CultureInfo.InvariantCulture), "--processes", Processes.ToString(CultureInfo.InvariantCulture),
        "--seconds", Seconds.ToString(CultureInfo.InvariantCulture), "--dir", Directory,
        .. MaxLoad is { } load ? (string[])["--max-load", load.ToString(CultureInfo.InvariantCulture)] : [],
    ];

    /// <summary>A name for files of this store and key count.</summary>
    public string MapName => $"workload-{Store}-{Keys}-{ValueSize}";

    public override string ToString() =>
        $"{Store} {Mix} {Distribution} {Keys:N0} keys {ValueSize} B x{Processes}{(MaxLoad is { } load ? $" load {load}" : "")}";
}
