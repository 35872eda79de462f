using System.Diagnostics;
using System.Globalization;
using ShmMaps.Inspection;

namespace ShmMaps.Tests.Fuzz;

/// <summary>
/// The child process of the hostile-file fuzzer: for each case, writes the damaged copy, uses it as a map of its
/// kind, inspects it and runs <c>shm</c> on it, and prints <c>start i</c>, then <c>done i MILLISECONDS opened|refused BYTES</c>
/// (whether the kind opened the file, and the bytes the work directory's files took at the end) or <c>fail i WHAT</c>.
/// A crash or a hang is seen by the parent as a case that never ends.
/// </summary>
public static class FuzzChildRole
{
    /// <summary>Exit codes <c>shm</c> may end with on a damaged map (5: key not found, 64: a key that does not parse as the header's type).</summary>
    private static readonly int[] s_cliCodes = [0, 1, 2, 3, 4, 5, 64];

    public static int Run(string[] args)
    {
        string templates = args[0];
        FuzzKind kind = FuzzKind.Named(args[1]);
        int seed = int.Parse(args[2], CultureInfo.InvariantCulture);
        int start = int.Parse(args[3], CultureInfo.InvariantCulture);
        int end = int.Parse(args[4], CultureInfo.InvariantCulture);
        string work = args[5];
        var mutator = new FileMutator(File.ReadAllBytes(Path.Combine(templates, kind.Name + ".shm")));
        ShmOptions options = FuzzKind.OptionsFor(work);
        string file = Path.Combine(work, "f.shm");
        for (int i = start; i < end; i++)
        {
            Console.WriteLine($"start {i}");
            long began = Stopwatch.GetTimestamp();
            (byte[] bytes, _) = mutator.Mutate(seed, i);
            File.Delete(file);
            File.WriteAllBytes(file, bytes);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            string? failure = null;
            int steps = 0;
            bool opened = false;
            void Step(string what, Action action)
            {
                try
                {
                    action();
                    opened |= steps == 0;
                }
                catch (Exception e) when (e is ShmMapException or TimeoutException)
                {
                }
                catch (Exception e)
                {
                    failure ??= $"{what}: {e.GetType().Name}: {e.Message} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
                }
                steps++;
            }
            kind.Exercise("f", options, Step);
            Step("describe", () => MapInspector.Describe("f", options));
            Step("dump", () => _ = MapInspector.Dump("f", options).Take(1000).Count());
            Step("check", () => MapInspector.Check("f", options));
            Step("recover", () => MapInspector.Recover("f", options));
            foreach (string[] verb in new[] { new[] { "list" }, ["info", "f"], ["dump", "f", "--limit", "100"], ["dump", "f", "--format", "jsonl", "--limit", "100"],
                ["get", "f", kind.SomeKey], ["check", "f"], ["recover", "f"] })
            {
                Step($"shm {verb[0]}", () =>
                {
                    var output = new StringWriter();
                    int code = ShmMaps.Tool.Program.Run([.. verb, "--dir", work], output, output);
                    string text = output.ToString();
                    if (!s_cliCodes.Contains(code) || text.Contains("   at ", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"exit code {code}: {text[..Math.Min(text.Length, 300)]}");
                    }
                });
            }
            Console.WriteLine(failure is null
                ? $"done {i} {Stopwatch.GetElapsedTime(began).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} {(opened ? "opened" : "refused")} {AllocatedBytes(work)}"
                : $"fail {i} {failure.ReplaceLineEndings(" ")}");
        }
        Console.WriteLine("end");
        return 0;
    }

    /// <summary>The memory (or disk) the files of <paramref name="directory"/> take: what a damaged file made the library allocate.</summary>
    private static long AllocatedBytes(string directory) =>
        Directory.EnumerateFiles(directory).Sum(path => ShmMaps.Core.Platform.ShmPlatform.Current.StatPath(path)?.AllocatedBytes ?? 0);
}
