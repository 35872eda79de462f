using System.Globalization;
using ShmMaps.Inspection;
using ShmMaps.Tool.Commands;
using ShmMaps.Tool.Output;
using ShmMaps.Tool.Verbs;
using Spectre.Console;

namespace ShmMaps.Tool.Watch;

/// <summary>
/// <c>shm watch</c>: a map's figures every interval. Live (Spectre.Console) on a terminal; a plain block per refresh
/// otherwise; <c>--once</c> prints one view (JSON with <c>--json</c>).
/// </summary>
internal static class WatchCommand
{
    public static int Run(WatchVerb verb, TextWriter output)
    {
        ShmOptions options = verb.ToShmOptions();
        var interval = TimeSpan.FromMilliseconds(Math.Max(verb.IntervalMilliseconds, 10));
        WatchSample before = WatchSample.Take(verb.Name, options);
        if (verb.Once)
        {
            Thread.Sleep(interval);
            WatchView view = WatchView.Between(before, WatchSample.Take(verb.Name, options));
            if (verb.Json)
            {
                Json.Write(output, view);
            }
            else
            {
                WritePlain(output, view);
            }
            return ExitCodes.Ok;
        }

        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            bool live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (live)
            {
                var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumns("", "");
                AnsiConsole.Live(table).Start(context => Loop(verb, options, interval, before, stop.Token, view =>
                {
                    Fill(table, view);
                    context.Refresh();
                }));
            }
            else
            {
                Loop(verb, options, interval, before, stop.Token, view => WritePlain(output, view));
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        return ExitCodes.Ok;
    }

    private static void Loop(WatchVerb verb, ShmOptions options, TimeSpan interval, WatchSample before, CancellationToken stop, Action<WatchView> show)
    {
        for (int refresh = 0; verb.Count == 0 || refresh < verb.Count; refresh++)
        {
            if (stop.WaitHandle.WaitOne(interval))
            {
                return;
            }
            WatchSample now = WatchSample.Take(verb.Name, options);
            show(WatchView.Between(before, now));
            before = now;
        }
    }

    private static void Fill(Table table, WatchView view)
    {
        table.Title = new TableTitle($"{Markup.Escape(view.Name)} ({view.Kind})");
        table.Rows.Clear();
        foreach ((string label, string value) in Rows(view))
        {
            table.AddRow(Markup.Escape(label), Markup.Escape(value));
        }
    }

    private static void WritePlain(TextWriter output, WatchView view)
    {
        output.WriteLine($"{view.Name} ({view.Kind}) at {DateTime.Now:HH:mm:ss}");
        foreach ((string label, string value) in Rows(view))
        {
            output.WriteLine($"  {label + ":",-18}{value}");
        }
    }

    private static IEnumerable<(string Label, string Value)> Rows(WatchView view)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        yield return ("count", $"{view.Count.ToString("N0", c)} of {view.Capacity.ToString("N0", c)} ({view.UsedPercent.ToString("F1", c)}%)");
        yield return (view.RateUnit, view.Rate.ToString("N0", c));
        var live = view.Lanes.Where(l => l.Alive).ToList();
        yield return ("lanes", $"{live.Count} held by live processes{(live.Count > 0 ? $" (pids {string.Join(", ", live.Select(l => l.Pid).Distinct())})" : "")}, {view.Lanes.Count - live.Count} of gone ones");
        foreach ((string label, string value) in view.Details.Where(d => d.Key.StartsWith("reader slots", StringComparison.Ordinal) || d.Key == "oldest guard" || d.Key == "writer" || d.Key == "stripes locked" || d.Key == "locks held" || d.Key == "budget" || d.Key == "cache reads"))
        {
            yield return (label, value);
        }
        yield return ("dead holders", view.DeadHolders.Count == 0 ? "none" : string.Join("; ", view.DeadHolders));
    }
}
