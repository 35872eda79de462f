namespace ShmMaps.Workload;

/// <summary>
/// Which key index the next operation visits: uniform, or Zipfian with θ = 0.99 (the generator of Gray et al. that YCSB
/// uses), its ranks scrambled by a hash so that the hot keys are spread over the table (YCSB's ScrambledZipfian).
/// </summary>
internal sealed class KeyChooser
{
    private const double Theta = 0.99;
    private readonly Random _random;
    private readonly long _keys;
    private readonly bool _zipfian;
    private readonly double _alpha;
    private readonly double _zetaN;
    private readonly double _eta;

    public KeyChooser(long keys, string distribution, int seed)
    {
        _random = new Random(seed);
        _keys = keys;
        _zipfian = distribution switch
        {
            "uniform" => false,
            "zipfian" => true,
            _ => throw new ArgumentException($"distribution must be uniform or zipfian, not '{distribution}'"),
        };
        if (_zipfian)
        {
            _zetaN = Zeta(keys);
            _alpha = 1.0 / (1.0 - Theta);
            _eta = (1 - Math.Pow(2.0 / keys, 1 - Theta)) / (1 - (Zeta(2) / _zetaN));
        }
    }

    /// <summary>The next key index in [0, keys).</summary>
    public long Next()
    {
        if (!_zipfian)
        {
            return _random.NextInt64(_keys);
        }
        double u = _random.NextDouble();
        double uz = u * _zetaN;
        long rank = uz < 1.0 ? 0 : uz < 1.0 + Math.Pow(0.5, Theta) ? 1 : (long)(_keys * Math.Pow((_eta * u) - _eta + 1, _alpha));
        return (long)(Fnv(Math.Min(rank, _keys - 1)) % (ulong)_keys);
    }

    /// <summary>The 64-bit key of index <paramref name="index"/>: SplitMix64, a bijection, so the keys are distinct and random.</summary>
    /// <summary>Key <paramref name="index"/>'s 16 hex digits, as the string-keyed stores name it (written here by hand: <c>Utf8Formatter</c> takes ~70 ns, more than a lookup).</summary>
    public static ReadOnlySpan<byte> HexNameOf(long index, Span<byte> name)
    {
        ReadOnlySpan<byte> digits = "0123456789ABCDEF"u8;
        ulong key = (ulong)KeyOf(index);
        for (int i = 15; i >= 0; i--, key >>= 4)
        {
            name[i] = digits[(int)(key & 15)];
        }
        return name[..16];
    }

    public static long KeyOf(long index)
    {
        ulong z = (ulong)index + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)(z ^ (z >> 31));
    }

    private static double Zeta(long n)
    {
        double sum = 0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1.0 / Math.Pow(i, Theta);
        }
        return sum;
    }

    private static ulong Fnv(long value)
    {
        ulong hash = 0xCBF29CE484222325UL;
        for (int i = 0; i < 8; i++)
        {
            hash ^= (byte)(value >> (8 * i));
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}
