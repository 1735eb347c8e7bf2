using System.Runtime.Intrinsics;
using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Kernels;
using ModelCompress.Recipe;
using Q = ModelCompress.Kernels.Quantization;

namespace ModelCompress.Quantization;

/// <summary>The automatic α search (Intel Neural Compressor's auto-α, per layer, on captured rows).</summary>
public static partial class SmoothQuantizer
{
    /// <summary>
    /// One group's smoothing: with a fixed α, s from Eq. 4; with α = auto, the grid search on the captured rows
    /// <paramref name="x"/> (row-major, one row per captured input vector), each member layer's best α by the MSE of
    /// its simulated int8 output, combined over the group by the step's criterion. A pure function of its arguments.
    /// </summary>
    /// <param name="absMax">max|X_j| per input channel.</param>
    /// <param name="channelMin">min X_j per input channel (the activation range the int8 step will see).</param>
    /// <param name="channelMax">max X_j per input channel.</param>
    /// <param name="x">Captured input rows (empty for a fixed α).</param>
    /// <param name="weightMax">max|W_j| per input channel over the whole group.</param>
    /// <param name="members">Each member layer's weight as [K, N] row-major, and its N.</param>
    /// <param name="grid">The α grid (auto).</param>
    /// <param name="step">The smoothquant step.</param>
    /// <param name="options">How the following int8 step quantizes.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="halves">Ranges per half of the calibration samples, for <c>headroom: auto</c> (null: taken from the rows).</param>
    internal static SmoothGroupPlan PlanGroup(
        float[] absMax, float[] channelMin, float[] channelMax, float[]? x, float[] weightMax, IReadOnlyList<(float[] W, int N)> members,
        IReadOnlyList<double> grid, SmoothQuantStep step, SmoothQuantOptions options, CancellationToken ct, SampleHalves? halves = null)
    {
        var k = absMax.Length;
        var rows = x is null || k == 0 ? 0 : x.Length / k;
        if (step.Alpha is { } fixedAlpha || rows == 0)
        {
            // A fixed α, or nothing captured (all samples empty): the paper's formula at that α (default 0.5).
            var alpha = step.Alpha ?? SmoothQuantStep.DefaultAlpha;
            return new SmoothGroupPlan(alpha, Scales(absMax, weightMax, alpha, step.Headroom), [.. members.Select(_ => new SmoothedLayer(string.Empty, null, [], null, null))])
            {
                Headroom = step.Headroom,
            };
        }

        var references = members.Select(m => FloatProduct(x!, rows, k, m.W, m.N)).ToList();
        return step.AutoHeadroom
            ? PlanByHeldOutHeadroom(absMax, channelMin, channelMax, x!, rows, weightMax, members, references, grid, step, options, halves, ct)
            : PlanAlpha(absMax, channelMin, channelMax, x!, rows, weightMax, members, references, grid, step, step.Headroom, options, ct);
    }

    /// <summary>The α search at one headroom (<see cref="PlanGroup"/>'s auto branch).</summary>
    private static SmoothGroupPlan PlanAlpha(
        float[] absMax, float[] channelMin, float[] channelMax, float[] x, int rows, float[] weightMax, IReadOnlyList<(float[] W, int N)> members,
        IReadOnlyList<float[]> references, IReadOnlyList<double> grid, SmoothQuantStep step, double headroom, SmoothQuantOptions options, CancellationToken ct)
    {
        var k = absMax.Length;
        var curves = members.Select(_ => new List<AlphaPoint>()).ToList();
        var rowErrors = members.Select(_ => new List<double[]>()).ToList();
        foreach (var alpha in grid)
        {
            ct.ThrowIfCancellationRequested();
            var s = Scales(absMax, weightMax, alpha, headroom);
            for (var i = 0; i < members.Count; i++)
            {
                var perRow = new double[rows];
                curves[i].Add(new AlphaPoint(alpha, SimulatedMse(x, rows, k, s, channelMin, channelMax, members[i].W, members[i].N, references[i], options, perRow)));
                rowErrors[i].Add(perRow);
            }
        }

        var best = curves.Select((c, i) => OneStandardError(c, rowErrors[i], step.Alpha ?? SmoothQuantStep.DefaultAlpha)).ToList();
        var chosen = step.Combine switch
        {
            AlphaCombine.Min => best.Min(),
            AlphaCombine.Max => best.Max(),
            _ => Math.Round(best.Average(), 10),
        };
        var scales = Scales(absMax, weightMax, chosen, headroom);
        var ones = new float[k];
        Array.Fill(ones, 1f);
        var reports = new List<SmoothedLayer>();
        for (var i = 0; i < members.Count; i++)
        {
            var atChosen = curves[i].FirstOrDefault(p => p.Alpha == chosen)?.Mse
                ?? SimulatedMse(x, rows, k, scales, channelMin, channelMax, members[i].W, members[i].N, references[i], options);
            var plain = SimulatedMse(x, rows, k, ones, channelMin, channelMax, members[i].W, members[i].N, references[i], options);
            reports.Add(new SmoothedLayer(string.Empty, best[i], curves[i], plain, atChosen));
        }

        return new SmoothGroupPlan(chosen, scales, reports) { Headroom = headroom };
    }

    /// <summary>
    /// The MSE of one layer's int8 output after smoothing by <paramref name="s"/>: X' = X·diag(s)⁻¹ is quantized per
    /// tensor with the range the calibration data gives it (min_j/s_j … max_j/s_j), W' = diag(s)·W per output channel
    /// (or per tensor), and the product runs on the exact int8 kernel, as the deployed layer will compute it.
    /// </summary>
    internal static double SimulatedMse(
        float[] x, int rows, int k, float[] s, float[] channelMin, float[] channelMax, float[] w, int n, float[] reference, SmoothQuantOptions options,
        double[]? perRow = null)
    {
        var scaledW = new float[w.Length];
        for (var j = 0; j < k; j++)
        {
            var sj = s[j];
            var src = w.AsSpan(j * n, n);
            var dst = scaledW.AsSpan(j * n, n);
            for (var c = 0; c < n; c++)
            {
                dst[c] = src[c] * sj;
            }
        }

        var (qw, weightScales) = WeightQuantizer.Quantize(scaledW, [k, n], 1, options.PerChannelWeights);
        var packed = Int8Gemm.Pack(qw, k, n);

        float lo = 0, hi = 0;
        for (var j = 0; j < k; j++)
        {
            lo = MathF.Min(lo, channelMin[j] / s[j]);
            hi = MathF.Max(hi, channelMax[j] / s[j]);
        }

        var p = QdqGraphWriter.ActivationParameters(lo, hi, options.ActivationType);
        var scaledX = new float[rows * k];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < k; j++)
            {
                scaledX[(r * k) + j] = x[(r * k) + j] / s[j];
            }
        }

        var output = new float[rows * n];
        if (options.ActivationType == QuantizedType.UInt8)
        {
            var a = new byte[scaledX.Length];
            Q.Quantize(scaledX, p.Scale, (byte)p.ZeroPoint, a);
            Int8Gemm.MultiplyDequantize(a, rows, packed, (byte)p.ZeroPoint, p.Scale, weightScales, [], output);
        }
        else
        {
            var a = new sbyte[scaledX.Length];
            Q.Quantize(scaledX, p.Scale, (sbyte)p.ZeroPoint, a);
            Int8Gemm.MultiplyDequantize(a, rows, packed, (sbyte)p.ZeroPoint, p.Scale, weightScales, [], output);
        }

        double sum = 0;
        for (var r = 0; r < rows; r++)
        {
            double rowSum = 0;
            for (var c = r * n; c < (r + 1) * n; c++)
            {
                var d = (double)output[c] - reference[c];
                rowSum += d * d;
            }

            if (perRow is not null)
            {
                perRow[r] = rowSum / n;
            }

            sum += rowSum;
        }

        return sum / output.Length;
    }

    /// <summary>
    /// A layer's α by the one-standard-error rule (Breiman et al., "Classification and Regression Trees", 1984, §3.4.3;
    /// Hastie et al., "The Elements of Statistical Learning", §7.10): the grid's minimum MSE is an estimate from a
    /// finite sample of captured rows, so every α whose mean error is within one standard error of that minimum is
    /// statistically as good; among those, the one nearest the paper's default <paramref name="anchor"/> (0.5, Xiao et
    /// al. 2023 §4.2) is kept (at equal distance, the lower error). A search that only beats α = 0.5 by sampling noise thus
    /// stays at 0.5 instead of moving migration difficulty onto the weights for no measurable gain.
    /// </summary>
    internal static double OneStandardError(IReadOnlyList<AlphaPoint> curve, IReadOnlyList<double[]> rowErrors, double anchor)
    {
        var best = 0;
        for (var a = 1; a < curve.Count; a++)
        {
            if (curve[a].Mse < curve[best].Mse)
            {
                best = a;
            }
        }

        var errors = rowErrors[best];
        var limit = curve[best].Mse;
        if (errors.Length > 1)
        {
            var mean = errors.Average();
            var variance = errors.Sum(e => (e - mean) * (e - mean)) / (errors.Length - 1);
            limit += Math.Sqrt(variance / errors.Length);
        }

        var chosen = best;
        for (var a = 0; a < curve.Count; a++)
        {
            if (curve[a].Mse <= limit && Math.Abs(curve[a].Alpha - anchor) < Math.Abs(curve[chosen].Alpha - anchor) - 1e-12)
            {
                chosen = a;
            }
        }

        return curve[chosen].Alpha;
    }

    /// <summary>Y = X·W in float (X [rows, k], W [k, n] row-major), the reference the int8 outputs are measured against.</summary>
    internal static float[] FloatProduct(float[] x, int rows, int k, float[] w, int n)
    {
        var wt = new float[k * n];
        for (var j = 0; j < k; j++)
        {
            for (var c = 0; c < n; c++)
            {
                wt[(c * k) + j] = w[(j * n) + c];
            }
        }

        var y = new float[rows * n];
        Parallel.For(0, rows, r =>
        {
            var xr = x.AsSpan(r * k, k);
            for (var c = 0; c < n; c++)
            {
                y[(r * n) + c] = Dot(xr, wt.AsSpan(c * k, k));
            }
        });
        return y;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var acc = Vector256<float>.Zero;
        var i = 0;
        for (; i <= a.Length - 8; i += 8)
        {
            acc += Vector256.Create(a.Slice(i, 8)) * Vector256.Create(b.Slice(i, 8));
        }

        var sum = Vector256.Sum(acc);
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
