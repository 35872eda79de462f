using System.Globalization;
using ShmMaps.Tests.Support;
using Xunit.Abstractions;

namespace ShmMaps.Tests.Fuzz;

/// <summary>
/// Damaged and hostile files, per kind: each is opened, read, written, inspected, checked and recovered (library and
/// <c>shm</c>) in a child process, on tmpfs and on a disk file system (ext4). Crashes 0, hangs 0, every failure a
/// <see cref="ShmMapException"/> or a <see cref="TimeoutException"/> (a clean <c>shm</c> exit code, no stack trace),
/// and no damaged copy of a template of under 1 MiB makes the library allocate past 256 MiB.
/// </summary>
public sealed class HostileFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_hangAfter = TimeSpan.FromSeconds(30);

    /// <summary>The most a damaged copy of a small map may make the library allocate (the template is under 1 MiB).</summary>
    private const long MaxAllocatedBytes = 256L << 20;
    private readonly TempMapDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Kinds() => [.. FuzzKind.All.Select(kind => kind.Name)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DamagedFilesNeverCrashOrHangAndFailOnlyWithMapErrors(string kindName) =>
        Fuzz(kindName, _dir.Path, Stress.Pick(quick: 500, full: 20_000), "tmpfs");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DamagedFilesOnADiskFileSystemAllocateNoMoreThanTheyWarrant(string kindName)
    {
        using LoopExt4? disk = LoopExt4.TryMount(1024, out string why);
        if (disk is null)
        {
            output.WriteLine($"skipped: {why}");
            return;
        }
        Fuzz(kindName, disk.Path, Stress.Pick(quick: 150, full: 5_000), "ext4");
    }

    private void Fuzz(string kindName, string workRoot, int cases, string fileSystem)
    {
        FuzzKind kind = FuzzKind.Named(kindName);
        string templates = Path.Combine(_dir.Path, "templates");
        Directory.CreateDirectory(templates);
        kind.CreateTemplate(kind.Name, FuzzKind.OptionsFor(templates));
        long templateBytes = new FileInfo(Path.Combine(templates, kind.Name + ".shm")).Length;
        // Small, so that each case's copy is cheap (a BlobMap's holds a change log of 1 MiB).
        Assert.True(templateBytes < 4 << 20, $"the {kindName} template is {templateBytes:N0} bytes");
        int seed = kindName.Length * 7919;
        // Two children at once (CI has two cores), each on its half of the cases.
        Task<RunResult>[] halves =
        [
            Task.Run(() => RunCases(templates, workRoot, kind, seed, 0, cases / 2)),
            Task.Run(() => RunCases(templates, workRoot, kind, seed, cases / 2, cases)),
        ];
        RunResult[] results = Task.WhenAll(halves).GetAwaiter().GetResult();
        var failures = results.SelectMany(r => r.Failures).ToList();
        int done = results.Sum(r => r.Done);
        double slowest = results.Max(r => r.SlowestMilliseconds);
        (long largest, int largestCase) = results.Select(r => (r.LargestAllocation, r.LargestCase)).Max();
        output.WriteLine($"{kindName} on {fileSystem}: {cases} files, {results.Sum(r => r.Opened)} opened as maps, {done} ended cleanly, " +
            $"{failures.Count} failures; slowest {slowest:F0} ms; largest allocation {largest:N0} bytes (case {largestCase}; the template is {templateBytes:N0})");
        var mutator = new FileMutator(File.ReadAllBytes(Path.Combine(templates, kind.Name + ".shm")));
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(25).Select(f => $"{f.Text} | damage of case {f.Case}: {mutator.Mutate(seed, f.Case).Damage}")));
        Assert.Equal(cases, done);
        Assert.True(largest <= MaxAllocatedBytes, $"case {largestCase} made the library allocate {largest:N0} bytes: {mutator.Mutate(seed, largestCase).Damage}");
    }

    private RunResult RunCases(string templates, string workRoot, FuzzKind kind, int seed, int start, int end)
    {
        var result = new RunResult();
        string work = Path.Combine(workRoot, $"work-{kind.Name}-{start}");
        Directory.CreateDirectory(work);
        int next = start;
        while (next < end)
        {
            using var child = ChildProcess.Start("fuzz", templates, kind.Name, seed, next, end, work);
            int current = -1;
            while (true)
            {
                string line;
                try
                {
                    line = child.ReadLine(s_hangAfter);
                }
                catch (TimeoutException e)
                {
                    bool hung = !e.Message.Contains("exited: True", StringComparison.Ordinal);
                    result.Failures.Add((current, hung ? $"case {current}: hung (no progress for {s_hangAfter.TotalSeconds} s)" : $"case {current}: the process crashed ({e.Message})"));
                    next = current + 1;
                    break;
                }
                string[] parts = line.Split(' ', 3);
                if (parts[0] == "end")
                {
                    next = end;
                    break;
                }
                int index = int.Parse(parts[1], CultureInfo.InvariantCulture);
                switch (parts[0])
                {
                    case "start":
                        current = index;
                        break;
                    case "done":
                        string[] figures = parts[2].Split(' ');
                        result.Done++;
                        result.Opened += figures[1] == "opened" ? 1 : 0;
                        result.SlowestMilliseconds = Math.Max(result.SlowestMilliseconds, double.Parse(figures[0], CultureInfo.InvariantCulture));
                        long allocated = long.Parse(figures[2], CultureInfo.InvariantCulture);
                        if (allocated > result.LargestAllocation)
                        {
                            (result.LargestAllocation, result.LargestCase) = (allocated, index);
                        }
                        break;
                    case "fail":
                        result.Failures.Add((index, $"case {index}: {parts[2]}"));
                        break;
                }
            }
        }
        return result;
    }

    private sealed class RunResult
    {
        public List<(int Case, string Text)> Failures { get; } = [];

        public int Done { get; set; }

        public int Opened { get; set; }

        public double SlowestMilliseconds { get; set; }

        public long LargestAllocation { get; set; }

        public int LargestCase { get; set; }
    }
}
