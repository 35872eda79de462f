using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Hybrid;
using ShmMaps.Caching;

// Run it twice on one host (e.g. --urls http://127.0.0.1:5001 and :5002): both share one cache map, so a quote one
// process computed is served by the other, a removal in one reaches the other's L1, and a session goes on in either.
var builder = WebApplication.CreateBuilder(args);
string? directory = builder.Configuration["ShmMaps:Directory"]; // null: /dev/shm/shmmaps-UID
builder.Services.AddShmDistributedCache(cache =>
{
    cache.MapName = "sample-cache";
    cache.Directory = directory;
    cache.MaxBytes = 64 << 20;
});
builder.Services.AddHybridCache();
builder.Services.AddSession(session => session.Cookie.Name = "sample.session");
// Session cookies are protected: every process of the app must share its key ring.
builder.Services.AddDataProtection()
    .SetApplicationName("shmmaps-sample")
    .PersistKeysToFileSystem(new DirectoryInfo(builder.Configuration["KeyRing"] ?? Path.Combine(directory ?? Path.GetTempPath(), "sample-keys")));

var app = builder.Build();
app.UseSession();

app.MapGet("/", () => $"process {Environment.ProcessId}");

// A value costly to make, made once on the host: whichever process asks first computes it.
app.MapGet("/quote/{symbol}", async (string symbol, HybridCache cache, CancellationToken cancellation) =>
    await cache.GetOrCreateAsync($"quote:{symbol}", async token =>
    {
        await Task.Delay(50, token); // the database
        return new Quote(symbol, Random.Shared.Next(100, 200), Environment.ProcessId);
    }, cancellationToken: cancellation));

app.MapDelete("/quote/{symbol}", async (string symbol, HybridCache cache) =>
{
    await cache.RemoveAsync($"quote:{symbol}"); // leaves every process's L1, and the shared map
    return Results.NoContent();
});

app.MapPost("/cart/{item}", async (string item, HttpContext context) =>
{
    await context.Session.LoadAsync();
    string cart = context.Session.GetString("cart") is { Length: > 0 } items ? $"{items},{item}" : item;
    context.Session.SetString("cart", cart);
    return new Cart(cart.Split(','), Environment.ProcessId);
});

app.MapGet("/cart", async (HttpContext context) =>
{
    await context.Session.LoadAsync();
    return new Cart(context.Session.GetString("cart")?.Split(',') ?? [], Environment.ProcessId);
});

app.Run();

/// <summary>A price, and the process that made it.</summary>
internal sealed record Quote(string Symbol, decimal Price, int MadeBy);

/// <summary>A session's cart, and the process that served it.</summary>
internal sealed record Cart(string[] Items, int ServedBy);
