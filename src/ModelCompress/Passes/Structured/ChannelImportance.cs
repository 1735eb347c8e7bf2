using System.Buffers.Binary;
using ModelCompress.Calibration;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// Ranks a structure's channels and picks the ones to keep. The unit's weights are one [C, Σwidth] matrix whose row j
/// holds everything channel j owns: the consumer's input row j first (width <c>Parts[0]</c>), then column j of each
/// producer (<c>Parts[1..]</c>).
/// <para>
/// Channel j reaches the model only through <c>y = Σ_j x_j · B_j</c>, so its contribution is bounded by ‖x_j‖·‖B_j‖₂.
/// With calibration (<see cref="PruneImportance.Activation"/>) ‖x_j‖ is measured: the root mean square of hidden
/// channel j over the captured calibration rows (the structured form of Wanda's |W|·‖X‖ score, Sun et al. 2023, and
/// of the output-norm criteria of LLM-Pruner, Ma et al. 2023), or its max |x| when no rows were captured. Without it
/// (<see cref="PruneImportance.Weight"/>), ‖x_j‖ is estimated by the norms of the producers' columns j — the size of
/// the channel's pre-activation for a unit-norm input, and for a gated MLP the product of gate and up.
/// </para>
/// </summary>
internal static class ChannelImportance
{
    /// <summary>
    /// The groups (channels, or heads of <paramref name="groupSize"/> channels) to keep, ascending: those with the
    /// highest Σ score² over their channels, <c>round-down(sparsity·groups)</c> removed but at least one kept. Ties go to
    /// the lower index, so the result is a pure function of the inputs.
    /// </summary>
    public static int[] Keep(
        ReadOnlySpan<float> weights, int groups, int groupSize, IReadOnlyList<int> parts, double sparsity, LayerInputStatistics? statistics)
    {
        var channels = Scores(weights, groups * groupSize, parts, statistics);
        var scores = new double[groups];
        for (var c = 0; c < channels.Length; c++)
        {
            scores[c / groupSize] += channels[c] * channels[c];
        }

        var remove = Math.Min(groups - 1, (int)Math.Floor((sparsity * groups) + 1e-9));
        var order = Enumerable.Range(0, groups).ToArray();
        Array.Sort(order, (a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
        var keep = order[..(groups - remove)];
        Array.Sort(keep);
        return keep;
    }

    /// <summary>The importance of each channel (double sums in index order, so the result never depends on scheduling).</summary>
    internal static double[] Scores(ReadOnlySpan<float> weights, int channels, IReadOnlyList<int> parts, LayerInputStatistics? statistics)
    {
        var width = parts.Sum();
        if (weights.Length != (long)channels * width)
        {
            throw new ArgumentException($"the unit's weights hold {weights.Length} values, not {channels}x{width}", nameof(weights));
        }

        var activation = ActivationNorms(statistics, channels);
        var scores = new double[channels];
        for (var j = 0; j < channels; j++)
        {
            var row = weights.Slice(j * width, width);
            var consumer = Norm(row[..parts[0]]);
            var x = 1.0;
            if (activation is not null)
            {
                x = activation[j];
            }
            else
            {
                var at = parts[0];
                for (var p = 1; p < parts.Count; p++)
                {
                    x *= Norm(row.Slice(at, parts[p]));
                    at += parts[p];
                }
            }

            scores[j] = consumer * x;
        }

        return scores;
    }

    /// <summary>‖x_j‖ per channel from calibration, or null when there is none usable (absent, another channel count, all zero).</summary>
    private static double[]? ActivationNorms(LayerInputStatistics? statistics, int channels)
    {
        if (statistics is null || statistics.AbsMax.Length != channels)
        {
            return null;
        }

        var norms = new double[channels];
        if (statistics.Rows is { } rows && statistics.RowCount > 0)
        {
            for (var r = 0; r < statistics.RowCount; r++)
            {
                for (var j = 0; j < channels; j++)
                {
                    double v = rows[(r * channels) + j];
                    norms[j] += v * v;
                }
            }

            for (var j = 0; j < channels; j++)
            {
                norms[j] = Math.Sqrt(norms[j] / statistics.RowCount);
            }
        }
        else
        {
            for (var j = 0; j < channels; j++)
            {
                norms[j] = statistics.AbsMax[j];
            }
        }

        // All-zero calibration says nothing about the channels; the weight estimate is the better ranking then.
        return norms.Any(n => n > 0 && double.IsFinite(n)) && norms.All(double.IsFinite) ? norms : null;
    }

    private static double Norm(ReadOnlySpan<float> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (double)v * v;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>The result bytes: the kept count then the kept indices, int32 little-endian.</summary>
    public static byte[] Encode(int[] keep)
    {
        var bytes = new byte[4 * (keep.Length + 1)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, keep.Length);
        for (var i = 0; i < keep.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * (i + 1)), keep[i]);
        }

        return bytes;
    }

    /// <summary>The inverse of <see cref="Encode"/>, checked against the channel count (a result for another unit is refused).</summary>
    public static int[] Decode(byte[] bytes, int channels)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var count = bytes.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : -1;
        if (count < 1 || count > channels || bytes.Length != 4 * (count + 1))
        {
            throw new InvalidDataException("a structured pruning result does not fit its unit");
        }

        var keep = new int[count];
        for (var i = 0; i < count; i++)
        {
            keep[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * (i + 1)));
            if (keep[i] < 0 || keep[i] >= channels || (i > 0 && keep[i] <= keep[i - 1]))
            {
                throw new InvalidDataException("a structured pruning result does not fit its unit");
            }
        }

        return keep;
    }
}
