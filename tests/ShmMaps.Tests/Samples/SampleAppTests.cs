using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ShmMaps.Tests.Support;

namespace ShmMaps.Tests.Samples;

/// <summary>
/// The sample web app run as two Kestrel processes on one host: through HTTP, a quote one computed is served by the
/// other, a removal in one makes the other compute it again, and a session begun in one goes on in the other.
/// </summary>
public sealed class SampleAppTests : IDisposable
{
    private readonly TempMapDirectory _dir = new();
    private readonly List<Process> _apps = [];

    public void Dispose()
    {
        foreach (Process app in _apps)
        {
            if (!app.HasExited)
            {
                app.Kill(entireProcessTree: true);
                app.WaitForExit();
            }
            app.Dispose();
        }
        _dir.Dispose();
    }

    [Fact]
    public async Task TwoProcessesShareHybridCacheAndSessionState()
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { Timeout = TimeSpan.FromSeconds(30) };
        Uri first = await StartAsync(http);
        // The first process makes the key ring the session cookies are protected with before the second starts.
        Cart cart = await PostAsync<Cart>(http, new Uri(first, "cart/apple"));
        Assert.Equal(["apple"], cart.Items);
        Uri second = await StartAsync(http);
        int firstPid = int.Parse((await http.GetStringAsync(first))["process ".Length..]);
        int secondPid = int.Parse((await http.GetStringAsync(second))["process ".Length..]);
        Assert.NotEqual(firstPid, secondPid);

        Quote made = (await http.GetFromJsonAsync<Quote>(new Uri(first, "quote/ACME")))!;
        Assert.Equal(firstPid, made.MadeBy);
        await InSharedMap("quote:ACME");
        Assert.Equal(made, await http.GetFromJsonAsync<Quote>(new Uri(second, "quote/ACME"))); // from the shared L2

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(new Uri(first, "quote/ACME"))).StatusCode);
        // The removal reaches the other process's L1 within milliseconds, not before the DELETE answers: ask until it has.
        Quote again = (await http.GetFromJsonAsync<Quote>(new Uri(second, "quote/ACME")))!;
        for (var deadline = Stopwatch.StartNew(); again == made && deadline.Elapsed < TimeSpan.FromSeconds(2);)
        {
            await Task.Delay(5);
            again = (await http.GetFromJsonAsync<Quote>(new Uri(second, "quote/ACME")))!;
        }
        Assert.Equal(secondPid, again.MadeBy); // its L1 let go of the removed quote
        await InSharedMap("quote:ACME");
        Assert.Equal(again, await http.GetFromJsonAsync<Quote>(new Uri(first, "quote/ACME")));

        cart = await PostAsync<Cart>(http, new Uri(second, "cart/pear"));
        Assert.Equal(["apple", "pear"], cart.Items);
        Assert.Equal(secondPid, cart.ServedBy);
        Assert.Equal(["apple", "pear"], (await http.GetFromJsonAsync<Cart>(new Uri(first, "cart")))!.Items);
    }

    /// <summary>Starts a copy of the app on a free loopback port and waits until it answers.</summary>
    private async Task<Uri> StartAsync(HttpClient http)
    {
        string dll = Path.Combine(Repository.Root, "samples", "ShmMaps.Sample.Web", "bin", Configuration, "net10.0", "ShmMaps.Sample.Web.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var uri = new Uri($"http://127.0.0.1:{FreePort()}/");
        Process app = Programs.Start(_dir.Path, "dotnet", [dll, "--urls", uri.ToString()], new Dictionary<string, string>
        {
            ["ShmMaps__Directory"] = _dir.Path,
            ["KeyRing"] = Path.Combine(_dir.Path, "keys"),
        });
        _apps.Add(app);
        _ = app.StandardOutput.ReadToEndAsync();
        Task<string> errors = app.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await http.GetStringAsync(uri);
                return uri;
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !app.HasExited)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException) when (app.HasExited)
            {
                Assert.Fail($"the app exited with {app.ExitCode}: {await errors}");
            }
        }
    }

    /// <summary>
    /// Waits until the app's cache map holds <paramref name="key"/>: HybridCache writes its L2 after it answers, so a
    /// request to the other process at once may find no entry yet and make the value itself.
    /// </summary>
    private async Task InSharedMap(string key)
    {
        using BlobMap map = BlobMap.Open("sample-cache", _dir.Options);
        var deadline = Stopwatch.StartNew();
        while (!map.ContainsKey(key))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"'{key}' never reached the shared map");
            await Task.Delay(5);
        }
    }

    private static async Task<T> PostAsync<T>(HttpClient http, Uri uri)
    {
        using HttpResponseMessage response = await http.PostAsync(uri, null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    /// <summary>The configuration the tests were built in (the sample was built in the same).</summary>
    private static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Quote(string Symbol, decimal Price, int MadeBy);

    private sealed record Cart(string[] Items, int ServedBy);
}
