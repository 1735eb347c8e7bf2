using ModelCompress.Onnx;

namespace ModelCompress.Calibration;

/// <summary>A seeded, uniformly random subset of positions (partial Fisher-Yates over a sparse swap map), sorted.</summary>
internal static class SeededSubset
{
    /// <summary><paramref name="count"/> distinct values of [0, <paramref name="positions"/>), ascending.</summary>
    public static long[] Draw(long positions, int count, int seed)
    {
        count = (int)Math.Min(count, positions);
        var rng = new DeterministicRandom((ulong)(uint)seed);
        var swapped = new Dictionary<long, long>();
        var result = new long[count];
        for (var i = 0L; i < count; i++)
        {
            var j = i + (long)(rng.NextUInt64() % (ulong)(positions - i));
            result[i] = swapped.GetValueOrDefault(j, j);
            swapped[j] = swapped.GetValueOrDefault(i, i);
        }

        Array.Sort(result);
        return result;
    }
}
