// Two processes sharing maps, as a user of the ShmMaps packages writes them:
//   consumer write DIR   creates "prices", writes 1,000 entries and a MemoryPack record, says "ready", waits for the reader's entry
//   consumer read DIR    opens "prices", checks every entry and the record, writes its own, says "ok"
using MemoryPack;
using ShmMaps;
using ShmMaps.MemoryPack;

string role = args[0];
var options = new ShmOptions { Directory = args[1] };
if (role == "write")
{
    using var prices = SeqMap<long, double>.Create("prices", 10_000, options);
    for (long key = 0; key < 1_000; key++)
    {
        prices[key] = key * 1.5;
    }
    using var quotes = ShmDictionary<string, Quote>.OpenOrCreate("quotes", 10, options, ShmMemoryPack.Serializer<Quote>());
    quotes["AAPL"] = new Quote("AAPL", 189.25m);
    Console.WriteLine("ready");
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (!prices.ContainsKey(-1))
    {
        if (DateTime.UtcNow > deadline)
        {
            Console.WriteLine("the reader never wrote");
            return 1;
        }
        Thread.Sleep(10);
    }
    Console.WriteLine(prices[-1] == 42.0 ? "ok" : "wrong value from the reader");
    return prices[-1] == 42.0 ? 0 : 1;
}
using (var view = SeqMap<long, double>.Open("prices", options))
{
    for (long key = 0; key < 1_000; key++)
    {
        if (!view.TryGetValue(key, out double price) || price != key * 1.5)
        {
            Console.WriteLine($"key {key} is wrong");
            return 1;
        }
    }
    view[-1] = 42.0;
}
using (var quotes = ShmDictionary<string, Quote>.OpenOrCreate("quotes", 10, options, ShmMemoryPack.Serializer<Quote>()))
{
    if (quotes["AAPL"] != new Quote("AAPL", 189.25m))
    {
        Console.WriteLine("the record is wrong");
        return 1;
    }
}
Console.WriteLine("ok");
return 0;

[MemoryPackable]
public sealed partial record Quote(string Symbol, decimal Price);
