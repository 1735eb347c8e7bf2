using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Kernels;

/// <summary>
/// Range statistics for choosing quantization parameters: max |x| (symmetric scales, SmoothQuant's per-channel
/// activation and weight maxima) and min/max (asymmetric scales). Max and min are exact and order-independent, so
/// the vectorized paths equal a scalar loop bit for bit; a NaN anywhere makes the result NaN, so bad data is seen
/// rather than hidden. Per-channel variants fold into running values, so calibration batches can be streamed.
/// </summary>
public static class TensorReductions
{
    /// <summary>max |x| over <paramref name="x"/> (0 for an empty span).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float AbsMax(ReadOnlySpan<float> x)
    {
        float result = 0f;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            ref float src = ref MemoryMarshal.GetReference(x);
            var acc = Vector256<float>.Zero;
            for (; i <= x.Length - 8; i += 8)
            {
                acc = Vector256.Max(acc, Vector256.Abs(Vector256.LoadUnsafe(ref src, (nuint)i)));
            }

            for (int j = 0; j < 8; j++)
            {
                result = MathF.Max(result, acc[j]);
            }
        }

        for (; i < x.Length; i++)
        {
            result = MathF.Max(result, MathF.Abs(x[i]));
        }

        return result;
    }

    /// <summary>(min x, max x) over <paramref name="x"/>, which must not be empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Min, float Max) MinMax(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("The minimum and maximum of no values are undefined.", nameof(x));
        }

        float min = x[0], max = x[0];
        int i = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            ref float src = ref MemoryMarshal.GetReference(x);
            var vmin = Vector256.LoadUnsafe(ref src);
            var vmax = vmin;
            for (i = 8; i <= x.Length - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                vmin = Vector256.Min(vmin, v);
                vmax = Vector256.Max(vmax, v);
            }

            for (int j = 0; j < 8; j++)
            {
                min = MathF.Min(min, vmin[j]);
                max = MathF.Max(max, vmax[j]);
            }
        }

        for (; i < x.Length; i++)
        {
            min = MathF.Min(min, x[i]);
            max = MathF.Max(max, x[i]);
        }

        return (min, max);
    }

    /// <summary>
    /// Folds per-channel max |x| into <paramref name="absMax"/> (start it at zeros). The tensor is viewed as
    /// [outer, C, inner] with C = absMax.Length, like an ONNX axis; for activations [tokens, features] use
    /// innerSize 1 to get one value per feature.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AbsMaxPerChannel(ReadOnlySpan<float> x, int innerSize, Span<float> absMax)
    {
        CheckLayout(x.Length, absMax.Length, innerSize);
        int channels = absMax.Length;
        if (innerSize == 1)
        {
            // Channels are contiguous: fold whole rows vector-wise into the running maxima.
            for (int start = 0; start < x.Length; start += channels)
            {
                var row = x.Slice(start, channels);
                int c = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    ref float dst = ref MemoryMarshal.GetReference(absMax);
                    ref float src = ref MemoryMarshal.GetReference(row);
                    for (; c <= channels - 8; c += 8)
                    {
                        var v = Vector256.Abs(Vector256.LoadUnsafe(ref src, (nuint)c));
                        Vector256.Max(Vector256.LoadUnsafe(ref dst, (nuint)c), v).StoreUnsafe(ref dst, (nuint)c);
                    }
                }

                for (; c < channels; c++)
                {
                    absMax[c] = MathF.Max(absMax[c], MathF.Abs(row[c]));
                }
            }

            return;
        }

        for (int start = 0, c = 0; start < x.Length; start += innerSize, c = (c + 1) % channels)
        {
            absMax[c] = MathF.Max(absMax[c], AbsMax(x.Slice(start, innerSize)));
        }
    }

    /// <summary>
    /// Folds per-channel minima and maxima into <paramref name="min"/> and <paramref name="max"/> (start them at
    /// +∞ and −∞); layout as in <see cref="AbsMaxPerChannel"/>.
    /// </summary>
    public static void MinMaxPerChannel(ReadOnlySpan<float> x, int innerSize, Span<float> min, Span<float> max)
    {
        CheckLayout(x.Length, min.Length, innerSize);
        if (max.Length != min.Length)
        {
            throw new ArgumentException($"{min.Length} minima but {max.Length} maxima.", nameof(max));
        }

        int channels = min.Length;
        for (int start = 0, c = 0; start < x.Length; start += innerSize, c = (c + 1) % channels)
        {
            var (lo, hi) = MinMax(x.Slice(start, innerSize));
            min[c] = MathF.Min(min[c], lo);
            max[c] = MathF.Max(max[c], hi);
        }
    }

    private static void CheckLayout(int length, int channels, int innerSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(innerSize, 1);
        if (channels == 0)
        {
            throw new ArgumentException("At least one channel is needed.", nameof(channels));
        }

        if (length % ((long)channels * innerSize) != 0)
        {
            throw new ArgumentException($"{length} values do not split into [outer, {channels}, {innerSize}].", nameof(innerSize));
        }
    }
}
