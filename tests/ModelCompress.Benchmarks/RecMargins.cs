using System.Globalization;

namespace ModelCompress.Benchmarks;

/// <summary>
/// How fragile fp32's own decisions are: per time step the gap between fp32's two most probable classes, and where the
/// steps an int8 model flips lie in that distribution. Steps whose gap is near zero flip for any small perturbation.
/// </summary>
internal static class RecMargins
{
    private static readonly double[] Gaps = [0.01, 0.05, 0.1, 0.2, 0.5];

    public static void Print(float[][] reference, float[][] other, int steps, int vocab)
    {
        var all = new List<double>();
        var flipped = new List<double>();
        for (var k = 0; k < reference.Length; k++)
        {
            for (var t = 0; t < steps; t++)
            {
                var row = reference[k].AsSpan(t * vocab, vocab);
                var (top, second, arg) = TopTwo(row);
                var gap = top - second;
                all.Add(gap);
                if (TopTwo(other[k].AsSpan(t * vocab, vocab)).Arg != arg)
                {
                    flipped.Add(gap);
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{all.Count} steps, {flipped.Count} flipped ({flipped.Count / (double)all.Count:F4}); fp32 top-1 minus top-2 (output values):"));
        foreach (var g in Gaps)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  gap < {g}: {all.Count(a => a < g) / (double)all.Count:F4} of all steps, {flipped.Count(a => a < g) / (double)Math.Max(1, flipped.Count):F4} of flipped steps"));
        }
    }

    private static (float Top, float Second, int Arg) TopTwo(ReadOnlySpan<float> row)
    {
        var (top, second, arg) = (float.NegativeInfinity, float.NegativeInfinity, -1);
        for (var i = 0; i < row.Length; i++)
        {
            if (row[i] > top)
            {
                (second, top, arg) = (top, row[i], i);
            }
            else if (row[i] > second)
            {
                second = row[i];
            }
        }

        return (top, second, arg);
    }
}
