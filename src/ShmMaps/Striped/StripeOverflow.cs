namespace ShmMaps.Striped;

/// <summary>
/// How likely it is that some stripe overflows: a key's stripe is its hash's low bits, so the keys of a full map
/// fall into the stripes like balls into bins, and a stripe that draws more keys than it has cells refuses the next
/// one (<see cref="MapFullException"/>) though the map is under its capacity.
/// </summary>
internal static class StripeOverflow
{
    /// <summary>The chance of that which a map's geometry may leave, at its capacity: once in a billion maps.</summary>
    public const double Negligible = 1e-9;

    /// <summary>
    /// An upper estimate of the chance that <paramref name="keys"/> keys spread over <paramref name="stripes"/>
    /// stripes put more than <paramref name="cellsPerStripe"/> into one: the stripes times the Poisson tail of one.
    /// </summary>
    public static double Chance(long keys, long stripes, long cellsPerStripe)
    {
        if (keys <= cellsPerStripe)
        {
            return 0;
        }
        if (stripes == 1)
        {
            return 1;
        }
        double mean = (double)keys / stripes;
        return Math.Min(1, stripes * PoissonTail(mean, cellsPerStripe));
    }

    /// <summary>P(X &gt; <paramref name="limit"/>) for X ~ Poisson(<paramref name="mean"/>), summed in log space from the first term.</summary>
    private static double PoissonTail(double mean, long limit)
    {
        long first = limit + 1;
        double logTerm = -mean + (first * Math.Log(mean)) - LogFactorial(first);
        double term = Math.Exp(logTerm);
        double sum = 0;
        for (long k = first; k < first + 100_000; k++)
        {
            sum += term;
            term *= mean / (k + 1);
            if (k > mean && term < sum * 1e-12)
            {
                break;
            }
        }
        return sum;
    }

    private static double LogFactorial(long n)
    {
        double sum = 0;
        for (long i = 2; i <= n; i++)
        {
            sum += Math.Log(i);
        }
        return sum;
    }
}
