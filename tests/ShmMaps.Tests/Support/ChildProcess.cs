using System.Collections.Concurrent;
using System.Diagnostics;

namespace ShmMaps.Tests.Support;

/// <summary>A real child process running a role of <see cref="ChildRoles"/>; killed with SIGKILL.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _errors = [];

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
            }
            else
            {
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && _errors.Count < 200)
            {
                _errors.Enqueue(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public static ChildProcess Start(string role, params object[] arguments) => StartAs(null, role, arguments);

    /// <summary>Starts a child with <paramref name="environment"/> added to its environment.</summary>
    public static ChildProcess StartWith(IReadOnlyDictionary<string, string> environment, string role, params object[] arguments) =>
        Start(null, environment, role, arguments);

    /// <summary>Starts a child as <paramref name="user"/> (through runuser; the test runs as root), or as this user if null.</summary>
    public static ChildProcess StartAs(string? user, string role, params object[] arguments) => Start(user, null, role, arguments);

    private static ChildProcess Start(string? user, IReadOnlyDictionary<string, string>? environment, string role, object[] arguments)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var start = new ProcessStartInfo(user is null ? host : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (user is not null)
        {
            foreach (string argument in new[] { "-u", user, "--", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "DOTNET_NOLOGO=1", host })
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        start.ArgumentList.Add("child");
        start.ArgumentList.Add(role);
        foreach (object argument in arguments)
        {
            start.ArgumentList.Add(Convert.ToString(argument, System.Globalization.CultureInfo.InvariantCulture)!);
        }
        return new ChildProcess(Process.Start(start)!);
    }

    /// <summary>The next line the child prints; fails the test if none comes in time.</summary>
    public string ReadLine(TimeSpan? timeout = null)
    {
        if (!_lines.TryTake(out string? line, timeout ?? TimeSpan.FromSeconds(30)))
        {
            bool exited = _process.HasExited;
            throw new TimeoutException(
                $"child {Pid} printed nothing (exited: {exited}{(exited ? $", code {_process.ExitCode}" : "")}); its errors: {string.Join(" | ", _errors.Take(40))}");
        }
        return line;
    }

    /// <summary>Waits for the child to print <paramref name="expected"/>.</summary>
    public void WaitFor(string expected)
    {
        while (true)
        {
            string line = ReadLine();
            if (line == expected)
            {
                return;
            }
        }
    }

    /// <summary>Waits for a line that contains <paramref name="text"/>; returns it.</summary>
    public string WaitForContaining(string text, TimeSpan? timeout = null)
    {
        while (true)
        {
            string line = ReadLine(timeout);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>SIGTERM: asks the child to shut down cleanly.</summary>
    public void Terminate()
    {
        if (Kill(Pid, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({Pid}, SIGTERM) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>SIGKILL, then wait until the kernel has reaped it (its locks are released by then).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.WaitForExit();
    }

    public int WaitForExit(TimeSpan? timeout = null)
    {
        if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            Kill();
            throw new TimeoutException($"child {Pid} did not exit in time");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
