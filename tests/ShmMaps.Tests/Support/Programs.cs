using System.Diagnostics;

namespace ShmMaps.Tests.Support;

/// <summary>Runs a program (dotnet, bash, a built example) to its end, with a time limit: its exit code and everything it printed.</summary>
public static class Programs
{
    public static (int Code, string Output) Run(string directory, string program, string[] arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan limit)
    {
        using Process process = Start(directory, program, arguments, environment);
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"{program} {string.Join(' ', arguments)} did not finish in {limit}:\n{output.Result}{error.Result}");
        }
        return (process.ExitCode, output.Result + error.Result);
    }

    public static Process Start(string directory, string program, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }
}
