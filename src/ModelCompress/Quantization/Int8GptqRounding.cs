using ModelCompress.Kernels;

namespace ModelCompress.Quantization;

/// <summary>
/// GPTQ (Frantar et al., 2022) for int8 weights: each output row's values are rounded to its int8 grid column by
/// column, and each rounding error is compensated on the columns still free through the inverse Hessian of the
/// layer's input (<see cref="ObsSolver"/>), so that the layer's output on the calibration inputs moves less than with
/// round-to-nearest. The grid is the one round-to-nearest would use (per-row or per-tensor S = max|W| / 127): the
/// result is float values that lie on it, which the int8 quantizer then stores exactly (<see cref="Int8ColumnRule"/>).
/// </summary>
public static class Int8GptqRounding
{
    /// <summary>
    /// Rounds <paramref name="rows"/> (row-major [<paramref name="rowCount"/>, K]) in place on the Hessian
    /// <paramref name="hessian"/> (row-major [K, K]) of the layer's input, and returns how many rows took GPTQ's values.
    /// <paramref name="scales"/> and <paramref name="anchors"/> come from <see cref="Grid"/> over the whole weight;
    /// <paramref name="first"/> is the first row's index in them (a Conv group's rows are a slice of the weight's).
    /// <para>
    /// Each row keeps whichever rounding moves the layer's output less on the calibration inputs, (w − q)·H·(w − q)ᵀ:
    /// GPTQ's, or its own values (which the quantizer then rounds to nearest). Where H has far fewer calibration rows
    /// than inputs (a squeeze-excitation Conv sees one row per image) its damped inverse is dominated by the damping,
    /// and the compensation pushes values past the grid's ends, where clamping costs more than round-to-nearest did.
    /// </para>
    /// </summary>
    public static int Round(double[] rows, int rowCount, ReadOnlySpan<double> hessian, double percdamp, float[] scales, int[] anchors, int first = 0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(anchors);
        var k = rowCount == 0 ? 0 : rows.Length / rowCount;
        if (k == 0 || !InverseHessianFactor.TryCreate(hessian, k, percdamp, out var factor, out _))
        {
            return 0;
        }

        var solved = (double[])rows.Clone();
        var signs = new int[rowCount];
        for (var r = 0; r < rowCount; r++)
        {
            var a = anchors[first + r];
            signs[r] = a < 0 ? 0 : rows[((long)r * k) + a] < 0 ? -1 : 1;
        }

        ObsSolver.Solve(solved, rowCount, factor, r => new Int8ColumnRule(scales[first + r], anchors[first + r], signs[r]));
        var kept = 0;
        var nearest = new double[k];
        for (var r = 0; r < rowCount; r++)
        {
            var row = rows.AsSpan(r * k, k);
            var scale = (double)scales[first + r];
            for (var c = 0; c < k; c++)
            {
                nearest[c] = scale == 0 ? 0 : Math.Clamp(Math.Round(row[c] / scale, MidpointRounding.ToEven), -127, 127) * scale;
            }

            var gptq = solved.AsSpan(r * k, k);
            if (OutputError(row, gptq, hessian) < OutputError(row, nearest, hessian))
            {
                gptq.CopyTo(row);
                kept++;
            }
        }

        return kept;
    }

    /// <summary>(w − q)·H·(w − q)ᵀ: the squared change of the row's output summed over the calibration inputs.</summary>
    private static double OutputError(ReadOnlySpan<double> w, ReadOnlySpan<double> q, ReadOnlySpan<double> hessian)
    {
        var k = w.Length;
        var d = new double[k];
        for (var c = 0; c < k; c++)
        {
            d[c] = w[c] - q[c];
        }

        var total = 0.0;
        for (var a = 0; a < k; a++)
        {
            if (d[a] == 0)
            {
                continue;
            }

            var h = hessian.Slice(a * k, k);
            var dot = 0.0;
            for (var b = 0; b < k; b++)
            {
                dot += h[b] * d[b];
            }

            total += d[a] * dot;
        }

        return total;
    }

    /// <summary>
    /// The grid round-to-nearest gives [N, K] rows: per row (or, when <paramref name="perChannel"/> is false, one for
    /// the tensor) S = max|W| / 127 as <see cref="WeightQuantizer"/> computes it, and the column that holds the
    /// maximum (−1 in rows that do not hold it, or when it is 0).
    /// </summary>
    public static (float[] Scales, int[] Anchors) Grid(ReadOnlySpan<double> rows, int rowCount, int k, bool perChannel)
    {
        var scales = new float[rowCount];
        var anchors = new int[rowCount];
        var maxima = new float[rowCount];
        for (var r = 0; r < rowCount; r++)
        {
            anchors[r] = -1;
            for (var c = 0; c < k; c++)
            {
                var v = (float)Math.Abs(rows[(r * k) + c]);
                if (v > maxima[r])
                {
                    (maxima[r], anchors[r]) = (v, c);
                }
            }
        }

        var global = perChannel ? -1 : Array.IndexOf(maxima, maxima.DefaultIfEmpty(0).Max());
        for (var r = 0; r < rowCount; r++)
        {
            var absMax = perChannel ? maxima[r] : global < 0 ? 0 : maxima[global];
            scales[r] = QuantizationParameters.Symmetric(absMax, QuantizedType.Int8).Scale;
            if (!perChannel && r != global)
            {
                anchors[r] = -1;
            }
        }

        return (scales, anchors);
    }
}
