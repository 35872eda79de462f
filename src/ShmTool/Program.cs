using CommandLine;
using ShmMaps.Tool.Bench;
using ShmMaps.Tool.Commands;
using ShmMaps.Tool.Demo;
using ShmMaps.Tool.Sidecar;
using ShmMaps.Tool.Verbs;
using ShmMaps.Tool.Watch;

namespace ShmMaps.Tool;

/// <summary>The <c>shm</c> command line.</summary>
public static class Program
{
    /// <summary>Runs <c>shm</c>.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs <c>shm</c> with the given arguments and writers; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        args = CommandLineShape.Normalize(args);
        ParserResult<object> parsed = Parse(args, helpWriter: null);
        if (parsed is not Parsed<object> { Value: var verb })
        {
            // Help asked for goes to stdout; a usage error to stderr with the verb's usage, exit 64.
            bool asked = parsed.Errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError);
            Parse(args, asked ? output : error);
            return asked ? ExitCodes.Ok : ExitCodes.Usage;
        }
        try
        {
            return verb switch
            {
                ListVerb v => InspectCommands.List(v, output),
                InfoVerb v => InspectCommands.Info(v, output),
                DumpVerb v => InspectCommands.Dump(v, output),
                GetVerb v => EntryCommands.Get(v, output),
                SetVerb v => EntryCommands.Set(v, output),
                RmVerb v => EntryCommands.Remove(v, output),
                WatchVerb v => WatchCommand.Run(v, output),
                BenchVerb v => BenchCommand.Run(v, output),
                CheckVerb v => InspectCommands.Check(v, recover: false, output),
                RecoverVerb v => InspectCommands.Check(v, recover: true, output),
                DeleteVerb v => InspectCommands.Delete(v, output),
                DemoVerb v => DemoCommand.Run(v, output),
                DemoWorkerVerb v => DemoWorker.Run(v, output),
                SidecarVerb v => SidecarCommand.Run(v, error),
                CreateVerb v => MakeCommands.Create(v, output),
                LoadVerb v => MakeCommands.Load(v, output),
                CopyVerb v => MakeCommands.Copy(v, output),
                _ => ExitCodes.Usage,
            };
        }
        catch (MapNotFoundException e)
        {
            error.WriteLine($"shm: {e.Message}");
            if (verb is SetVerb set)
            {
                error.WriteLine($"shm: create it first, for example: shm create {set.Name} --kind seq --key long --value double --capacity 1000 (shm create --help)");
            }
            return ExitCodes.NotFound;
        }
        catch (KeyNotFoundException e)
        {
            error.WriteLine($"shm: {e.Message}");
            return ExitCodes.KeyNotFound;
        }
        catch (FormatException e)
        {
            error.WriteLine($"shm: {e.Message}");
            error.WriteLine();
            Parse([NameOf(verb), "--help"], error);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is CorruptMapException or LayoutMismatchException)
        {
            error.WriteLine($"shm: {e.Message}");
            return ExitCodes.Corrupt;
        }
        catch (Exception e) when (e is ShmMapException or IOException or UnauthorizedAccessException or ArgumentException or TimeoutException or NotSupportedException)
        {
            error.WriteLine($"shm: {e.Message}");
            return ExitCodes.Error;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever a damaged file makes go wrong: one line and an exit code of the documented set, never a stack trace.
            error.WriteLine($"shm: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Error;
        }
    }

    /// <summary>Parses <paramref name="args"/>; <paramref name="helpWriter"/> gets the help or the errors, if any.</summary>
    private static ParserResult<object> Parse(string[] args, TextWriter? helpWriter)
    {
        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = helpWriter;
            settings.CaseInsensitiveEnumValues = true;
        });
        return parser.ParseArguments(args,
            typeof(ListVerb), typeof(InfoVerb), typeof(DumpVerb), typeof(GetVerb), typeof(SetVerb), typeof(RmVerb), typeof(WatchVerb), typeof(BenchVerb), typeof(CheckVerb), typeof(RecoverVerb),
            typeof(DeleteVerb), typeof(DemoVerb), typeof(DemoWorkerVerb), typeof(SidecarVerb), typeof(CreateVerb), typeof(LoadVerb), typeof(CopyVerb));
    }

    private static string NameOf(object verb) =>
        ((VerbAttribute)Attribute.GetCustomAttribute(verb.GetType(), typeof(VerbAttribute))!).Name;
}
