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
    private static (float[] Scales, SmoothedGroup Report) Search(
        LayerGroup group, TensorStatistics activation, float[] weightMax, IReadOnlyList<double> grid, SmoothQuantStep step,
        SmoothQuantOptions options, CancellationToken ct)
    {
        var x = activation.Rows;
        var rows = activation.RowCount;
        if (rows == 0)
        {
            // Nothing captured (all samples empty): fall back to the paper's default.
            var fallback = Scales(activation.ChannelAbsMax, weightMax, SmoothQuantStep.DefaultAlpha);
            return (fallback, Report(group, SmoothQuantStep.DefaultAlpha, [.. group.Layers.Select(l => new SmoothedLayer(l.Name, null, [], null, null))], fallback, step.Fold));
        }

        var k = group.Channels;
        var layers = group.Layers.Select(l => (Layer: l, W: l.WeightKN(), N: l.OutFeatures)).ToList();
        var references = layers.Select(l => FloatProduct(x, rows, k, l.W, l.N)).ToList();
        var curves = layers.Select(_ => new List<AlphaPoint>()).ToList();
        var candidates = grid.Select(alpha => (Alpha: alpha, Scales: Scales(activation.ChannelAbsMax, weightMax, alpha))).ToList();
        foreach (var (alpha, s) in candidates)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < layers.Count; i++)
            {
                curves[i].Add(new AlphaPoint(alpha, SimulatedMse(x, rows, k, s, activation, layers[i].W, layers[i].N, references[i], options)));
            }
        }

        var best = curves.Select(c => c.Aggregate((a, b) => b.Mse < a.Mse ? b : a).Alpha).ToList();
        var chosen = step.Combine switch
        {
            AlphaCombine.Min => best.Min(),
            AlphaCombine.Max => best.Max(),
            _ => Math.Round(best.Average(), 10),
        };
        var scales = Scales(activation.ChannelAbsMax, weightMax, chosen);
        var ones = new float[k];
        Array.Fill(ones, 1f);
        var reports = new List<SmoothedLayer>();
        for (var i = 0; i < layers.Count; i++)
        {
            var atChosen = curves[i].FirstOrDefault(p => p.Alpha == chosen)?.Mse
                ?? SimulatedMse(x, rows, k, scales, activation, layers[i].W, layers[i].N, references[i], options);
            var plain = SimulatedMse(x, rows, k, ones, activation, layers[i].W, layers[i].N, references[i], options);
            reports.Add(new SmoothedLayer(layers[i].Layer.Name, best[i], curves[i], plain, atChosen));
        }

        return (scales, Report(group, chosen, reports, scales, step.Fold));
    }

    /// <summary>
    /// The MSE of one layer's int8 output after smoothing by <paramref name="s"/>: X' = X·diag(s)⁻¹ is quantized per
    /// tensor with the range the calibration data gives it (min_j/s_j … max_j/s_j), W' = diag(s)·W per output channel
    /// (or per tensor), and the product runs on the exact int8 kernel, as the deployed layer will compute it.
    /// </summary>
    internal static double SimulatedMse(
        float[] x, int rows, int k, float[] s, TensorStatistics activation, float[] w, int n, float[] reference, SmoothQuantOptions options)
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
            lo = MathF.Min(lo, activation.ChannelMin[j] / s[j]);
            hi = MathF.Max(hi, activation.ChannelMax[j] / s[j]);
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
        for (var i = 0; i < output.Length; i++)
        {
            var d = (double)output[i] - reference[i];
            sum += d * d;
        }

        return sum / output.Length;
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
