using System.Globalization;

namespace ShmMaps.Workload;

/// <summary>One line of a results CSV (see <see cref="WorkloadResult.CsvHeader"/>), read back for plots and tables.</summary>
internal sealed record ResultRow(
    string Store, string Mix, string Distribution, long Keys, int ValueBytes, int Processes, double OperationsPerSecond, long P50, long P99, long P999,
    double? BytesPerEntry, string MaxLoad, double? VersusOneProcess)
{
    /// <summary>The measurements a chart compares: same mix, distribution, key count, value size and MaxLoad.</summary>
    public string Group => $"{Mix.ToLowerInvariant()}-{Distribution}-{Keys}-{ValueBytes}b{(MaxLoad.Length > 0 ? $"-load{MaxLoad}" : "")}";

    public string Title => string.Create(CultureInfo.InvariantCulture,
        $"{Mix}, {Distribution} keys, {Keys:N0} keys, {ValueBytes}-byte values{(MaxLoad.Length > 0 ? $", MaxLoad {MaxLoad}" : "")}");

    public static IReadOnlyList<ResultRow> ReadAll(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !WorkloadResult.CsvHeader.StartsWith(lines[0], StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a workload results file (its first line is not '{WorkloadResult.CsvHeader}')");
        }
        return [.. lines.Skip(1).Where(line => line.Length > 0).Select((line, at) => Parse(path, at + 2, line))];
    }

    private static ResultRow Parse(string path, int lineNumber, string line)
    {
        string[] f = line.Split(',');
        try
        {
            return new ResultRow(f[0], f[1], f[2], long.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture),
                int.Parse(f[5], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[9], CultureInfo.InvariantCulture),
                long.Parse(f[10], CultureInfo.InvariantCulture), long.Parse(f[11], CultureInfo.InvariantCulture),
                f[13].Length > 0 ? double.Parse(f[13], CultureInfo.InvariantCulture) : null, f[14],
                f.Length > 18 && f[18].Length > 0 ? double.Parse(f[18], CultureInfo.InvariantCulture) : null);
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"{path}:{lineNumber}: {e.Message}", e);
        }
    }
}
