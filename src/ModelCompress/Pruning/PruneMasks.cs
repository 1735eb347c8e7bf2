namespace ModelCompress.Pruning;

/// <summary>
/// Which weights to keep, given a score per weight of a logical [rows × cols] matrix (<see cref="WeightLayout"/>):
/// the lowest scores go. Every selection is exact and deterministic — ties are broken by position (the earlier weight
/// goes first), never by sort stability or thread timing — so the same scores always give the same mask.
/// </summary>
public static class PruneMasks
{
    /// <summary>How many of <paramref name="count"/> weights a sparsity removes: round(s·count), halves away from zero.</summary>
    public static int PrunedCount(double sparsity, int count) =>
        (int)Math.Clamp(Math.Round(sparsity * count, MidpointRounding.AwayFromZero), 0, count);

    /// <summary>Unstructured over the whole matrix: the round(s·n) lowest scores go (magnitude pruning, Han et al., 2015).</summary>
    public static bool[] KeepPerMatrix(ReadOnlySpan<double> scores, double sparsity)
    {
        var keep = Filled(scores.Length);
        DropLowest(scores, 0, scores.Length, PrunedCount(sparsity, scores.Length), keep);
        return keep;
    }

    /// <summary>
    /// Unstructured per output row: each row loses round(s·cols) of its weights, the comparison group of Wanda
    /// (Sun et al., 2023, §3: "per output" beats per layer for LLMs).
    /// </summary>
    public static bool[] KeepPerRow(ReadOnlySpan<double> scores, int rows, int cols, double sparsity)
    {
        Check(scores, rows, cols);
        var keep = Filled(scores.Length);
        var drop = PrunedCount(sparsity, cols);
        for (var r = 0; r < rows; r++)
        {
            DropLowest(scores, r * cols, cols, drop, keep);
        }

        return keep;
    }

    /// <summary>
    /// N:M semi-structured: in every group of <paramref name="m"/> consecutive weights of a row (along the reduction),
    /// the <paramref name="n"/> highest scores stay (NVIDIA's 2:4 sparse tensor core layout; Mishra et al., 2021).
    /// <paramref name="cols"/> must be a multiple of <paramref name="m"/>.
    /// </summary>
    public static bool[] KeepNOfM(ReadOnlySpan<double> scores, int rows, int cols, int n, int m)
    {
        Check(scores, rows, cols);
        if (n < 1 || n >= m || cols % m != 0)
        {
            throw new ArgumentException($"{n}:{m} does not tile rows of {cols}");
        }

        var keep = Filled(scores.Length);
        for (var start = 0; start < scores.Length; start += m)
        {
            DropLowest(scores, start, m, m - n, keep);
        }

        return keep;
    }

    /// <summary>Keeps the weights whose |w| is above <paramref name="threshold"/> (a global magnitude threshold).</summary>
    public static bool[] KeepAbove(ReadOnlySpan<float> weights, float threshold)
    {
        var keep = new bool[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            keep[i] = MathF.Abs(weights[i]) > threshold;
        }

        return keep;
    }

    /// <summary>
    /// The global magnitude threshold: the round(s·total)-th smallest |w| over all <paramref name="weights"/> (each
    /// distinct tensor once). Pruning every |w| ≤ it removes at least that many weights; more only on exact ties.
    /// Returns −1 (prune nothing) when the count is 0.
    /// </summary>
    public static float GlobalThreshold(IEnumerable<float[]> weights, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var all = weights.SelectMany(w => w.Select(MathF.Abs)).ToArray();
        var count = PrunedCount(sparsity, all.Length);
        if (count == 0)
        {
            return -1f;
        }

        Array.Sort(all);
        return all[count - 1];
    }

    /// <summary>The weights with the pruned ones set to +0.</summary>
    public static float[] Apply(ReadOnlySpan<float> weights, ReadOnlySpan<bool> keep)
    {
        var result = new float[weights.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = keep[i] ? weights[i] : 0f;
        }

        return result;
    }

    private static void DropLowest(ReadOnlySpan<double> scores, int start, int length, int drop, bool[] keep)
    {
        if (drop <= 0)
        {
            return;
        }

        var order = new int[length];
        var values = new double[length];
        for (var i = 0; i < length; i++)
        {
            order[i] = start + i;
            values[i] = scores[start + i];
        }

        // Sort by (score, position): a total order, so the result does not depend on the sort algorithm.
        Array.Sort(order, (a, b) =>
        {
            var c = values[a - start].CompareTo(values[b - start]);
            return c != 0 ? c : a.CompareTo(b);
        });
        for (var i = 0; i < drop; i++)
        {
            keep[order[i]] = false;
        }
    }

    private static bool[] Filled(int length)
    {
        var keep = new bool[length];
        Array.Fill(keep, true);
        return keep;
    }

    private static void Check(ReadOnlySpan<double> scores, int rows, int cols)
    {
        if ((long)rows * cols != scores.Length)
        {
            throw new ArgumentException($"{scores.Length} scores do not form a {rows}x{cols} matrix", nameof(scores));
        }
    }
}
