namespace ModelCompress.Onnx;

/// <summary>
/// A small seeded generator (SplitMix64, Steele et al., "Fast splittable pseudorandom number generators", 2014) whose
/// output depends only on the seed: unlike <see cref="Random"/> it is specified here, so generated weights and test
/// data are byte-identical across runtimes and machines. Floats are built with integer arithmetic and exact IEEE
/// operations only, for the same reason.
/// </summary>
public sealed class DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A float uniformly in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A float uniformly in [-<paramref name="limit"/>, <paramref name="limit"/>).</summary>
    public float NextUniform(float limit) => ((NextFloat() * 2f) - 1f) * limit;

    /// <summary>An integer uniformly in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>Roughly normal values (sum of four uniforms, Irwin-Hall), scaled to standard deviation <paramref name="std"/>.</summary>
    public float NextNormal(float std)
    {
        // The sum of 4 U(0,1) has mean 2 and variance 4/12; centre and scale to unit variance.
        var s = NextFloat() + NextFloat() + NextFloat() + NextFloat();
        return (s - 2f) * 1.7320508f * std;
    }

    /// <summary>Fills <paramref name="destination"/> with uniform values in [-<paramref name="limit"/>, <paramref name="limit"/>).</summary>
    public void FillUniform(Span<float> destination, float limit)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = NextUniform(limit);
        }
    }

    /// <summary>An array of <paramref name="count"/> uniform values in [-<paramref name="limit"/>, <paramref name="limit"/>).</summary>
    public float[] Uniform(int count, float limit)
    {
        var a = new float[count];
        FillUniform(a, limit);
        return a;
    }
}
