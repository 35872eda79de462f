using HdrHistogram;

namespace ShmMaps.Workload;

/// <summary>A histogram as one line of text (HdrHistogram's log format, base64) and back: how workers hand theirs over.</summary>
internal static class HistogramText
{
    public static string Write(HistogramBase histogram)
    {
        using var stream = new MemoryStream();
        HistogramLogWriter.Write(stream, DateTime.UnixEpoch, histogram);
        return Convert.ToBase64String(stream.ToArray());
    }

    public static HistogramBase Read(string text)
    {
        using var stream = new MemoryStream(Convert.FromBase64String(text));
        using var reader = new HistogramLogReader(stream);
        return reader.ReadHistograms().Single();
    }
}
