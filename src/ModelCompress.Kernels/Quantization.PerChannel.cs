using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Kernels;

/// <summary>Per-channel (per-axis) quantization, as ONNX QuantizeLinear/DequantizeLinear with an <c>axis</c>.</summary>
public static partial class Quantization
{
    /// <summary>
    /// Per-channel quantization to int8. The tensor is viewed as [outer, C, inner] with C = scales.Length (ONNX's
    /// axis split: <paramref name="innerSize"/> is the product of the dimensions after the axis); element
    /// (o, c, i) uses scales[c] and zeroPoints[c] (an empty <paramref name="zeroPoints"/> means all zero).
    /// </summary>
    public static void QuantizePerChannel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> scales, ReadOnlySpan<sbyte> zeroPoints, int innerSize, Span<sbyte> y)
    {
        Span<int> zp = zeroPoints.Length <= 256 ? stackalloc int[zeroPoints.Length] : new int[zeroPoints.Length];
        for (int c = 0; c < zeroPoints.Length; c++)
        {
            zp[c] = zeroPoints[c];
        }

        PerChannel(x, scales, zp, innerSize, sbyte.MinValue, sbyte.MaxValue, MemoryMarshal.AsBytes(y), y.Length);
    }

    /// <summary>Per-channel quantization to uint8; see the int8 overload for the layout.</summary>
    public static void QuantizePerChannel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> scales, ReadOnlySpan<byte> zeroPoints, int innerSize, Span<byte> y)
    {
        Span<int> zp = zeroPoints.Length <= 256 ? stackalloc int[zeroPoints.Length] : new int[zeroPoints.Length];
        for (int c = 0; c < zeroPoints.Length; c++)
        {
            zp[c] = zeroPoints[c];
        }

        PerChannel(x, scales, zp, innerSize, byte.MinValue, byte.MaxValue, y, y.Length);
    }

    /// <summary>Per-channel dequantization from int8: x = (q − Z[c])·S[c]; layout as for quantization.</summary>
    public static void DequantizePerChannel(
        ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, ReadOnlySpan<sbyte> zeroPoints, int innerSize, Span<float> x)
    {
        CheckChannels(q.Length, x.Length, scales, zeroPoints.Length, innerSize);
        for (int i = 0; i < q.Length; i++)
        {
            int c = i / innerSize % scales.Length;
            x[i] = (q[i] - (zeroPoints.IsEmpty ? 0 : zeroPoints[c])) * scales[c];
        }
    }

    /// <summary>Per-channel dequantization from uint8: x = (q − Z[c])·S[c]; layout as for quantization.</summary>
    public static void DequantizePerChannel(
        ReadOnlySpan<byte> q, ReadOnlySpan<float> scales, ReadOnlySpan<byte> zeroPoints, int innerSize, Span<float> x)
    {
        CheckChannels(q.Length, x.Length, scales, zeroPoints.Length, innerSize);
        for (int i = 0; i < q.Length; i++)
        {
            int c = i / innerSize % scales.Length;
            x[i] = (q[i] - (zeroPoints.IsEmpty ? 0 : zeroPoints[c])) * scales[c];
        }
    }

    private static void PerChannel(
        ReadOnlySpan<float> x, ReadOnlySpan<float> scales, ReadOnlySpan<int> zeroPoints, int innerSize, int qmin, int qmax,
        Span<byte> y, int yLength)
    {
        CheckChannels(x.Length, yLength, scales, zeroPoints.Length, innerSize);
        foreach (var s in scales)
        {
            CheckScale(s);
        }

        int channels = scales.Length;
        if (innerSize == 1 && Vector256.IsHardwareAccelerated && channels >= 32)
        {
            // Channels along the last axis (e.g. weights [K, N] per output column): vectorize across channels.
            var zero = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                zero[c] = zeroPoints.IsEmpty ? 0 : zeroPoints[c];
            }

            for (int start = 0; start < x.Length; start += channels)
            {
                int done = QuantizeVector256PerLane(x.Slice(start, channels), scales, zero, qmin, qmax, y.Slice(start, channels));
                for (int c = done; c < channels; c++)
                {
                    y[start + c] = (byte)QuantizeValue(x[start + c], scales[c], (int)zero[c], qmin, qmax);
                }
            }

            return;
        }

        for (int start = 0, c = 0; start < x.Length; start += innerSize, c = (c + 1) % channels)
        {
            // Each (outer, channel) run of innerSize values shares one S and Z: quantize it as a per-tensor span.
            QuantizeSpan(
                x.Slice(start, innerSize), scales[c], zeroPoints.IsEmpty ? 0 : zeroPoints[c], qmin, qmax, y.Slice(start, innerSize));
        }
    }

    private static void CheckChannels(int source, int destination, ReadOnlySpan<float> scales, int zeroPoints, int innerSize)
    {
        CheckSameLength(source, destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(innerSize, 1);
        if (scales.IsEmpty)
        {
            throw new ArgumentException("At least one channel scale is needed.", nameof(scales));
        }

        if (zeroPoints != 0 && zeroPoints != scales.Length)
        {
            throw new ArgumentException($"{zeroPoints} zero points for {scales.Length} channels.", nameof(zeroPoints));
        }

        if (source % ((long)scales.Length * innerSize) != 0)
        {
            throw new ArgumentException(
                $"{source} values do not split into [outer, {scales.Length}, {innerSize}].", nameof(innerSize));
        }
    }
}
