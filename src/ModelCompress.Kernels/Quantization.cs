using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelCompress.Kernels;

/// <summary>
/// Quantize and dequantize float tensors to 8-bit integers exactly as ONNX QuantizeLinear / DequantizeLinear define
/// it: q = saturate(round(x / S) + Z) with round-half-to-even, and x = (q − Z)·S (affine scheme of Jacob et al.
/// 2018, Eq. 1). Vectorized paths perform the same IEEE operations in the same order as the scalar one, so results
/// are bit-identical on every CPU. NaN (left undefined by ONNX) quantizes to Z, i.e. to real 0.
/// </summary>
public static partial class Quantization
{
    /// <summary>Quantizes one value to int8.</summary>
    public static sbyte QuantizeInt8(float x, float scale, int zeroPoint) =>
        (sbyte)QuantizeValue(x, scale, zeroPoint, sbyte.MinValue, sbyte.MaxValue);

    /// <summary>Quantizes one value to uint8.</summary>
    public static byte QuantizeUInt8(float x, float scale, int zeroPoint) =>
        (byte)QuantizeValue(x, scale, zeroPoint, byte.MinValue, byte.MaxValue);

    /// <summary>Per-tensor quantization to int8 (<paramref name="y"/> as long as <paramref name="x"/>).</summary>
    public static void Quantize(ReadOnlySpan<float> x, float scale, sbyte zeroPoint, Span<sbyte> y)
    {
        CheckSameLength(x.Length, y.Length);
        CheckScale(scale);
        QuantizeSpan(x, scale, zeroPoint, sbyte.MinValue, sbyte.MaxValue, MemoryMarshal.AsBytes(y));
    }

    /// <summary>Per-tensor quantization to uint8 (<paramref name="y"/> as long as <paramref name="x"/>).</summary>
    public static void Quantize(ReadOnlySpan<float> x, float scale, byte zeroPoint, Span<byte> y)
    {
        CheckSameLength(x.Length, y.Length);
        CheckScale(scale);
        QuantizeSpan(x, scale, zeroPoint, byte.MinValue, byte.MaxValue, y);
    }

    /// <summary>Per-tensor dequantization from int8: x = (q − Z)·S.</summary>
    public static void Dequantize(ReadOnlySpan<sbyte> q, float scale, sbyte zeroPoint, Span<float> x)
    {
        CheckSameLength(q.Length, x.Length);
        for (int i = 0; i < q.Length; i++)
        {
            x[i] = (q[i] - zeroPoint) * scale;
        }
    }

    /// <summary>Per-tensor dequantization from uint8: x = (q − Z)·S.</summary>
    public static void Dequantize(ReadOnlySpan<byte> q, float scale, byte zeroPoint, Span<float> x)
    {
        CheckSameLength(q.Length, x.Length);
        for (int i = 0; i < q.Length; i++)
        {
            x[i] = (q[i] - zeroPoint) * scale;
        }
    }

    /// <summary>
    /// The scalar definition of QuantizeLinear: saturate(round_half_even(x / S) + Z) into [qmin, qmax]. The sum is
    /// formed in float like ONNX Runtime does; it is exact wherever saturation does not decide the result anyway.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int QuantizeValue(float x, float scale, int zeroPoint, int qmin, int qmax)
    {
        float v = MathF.Round(x / scale) + zeroPoint;
        if (float.IsNaN(v))
        {
            return zeroPoint;
        }

        return (int)Math.Clamp(v, qmin, qmax);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void QuantizeSpan(ReadOnlySpan<float> x, float scale, int zeroPoint, int qmin, int qmax, Span<byte> y)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= 32)
        {
            i = QuantizeVector256(x, scale, zeroPoint, qmin, qmax, y);
        }

        for (; i < x.Length; i++)
        {
            y[i] = (byte)QuantizeValue(x[i], scale, zeroPoint, qmin, qmax);
        }
    }

    // 32 values per step: the scalar steps (divide, round to even, add Z, clamp, NaN → Z) on 4 vectors, then
    // int32 → int16 → byte narrowing, which keeps the low byte — the two's-complement int8 or the uint8 value.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int QuantizeVector256(ReadOnlySpan<float> x, float scale, int zeroPoint, int qmin, int qmax, Span<byte> y)
    {
        var s = Vector256.Create(scale);
        var z = Vector256.Create((float)zeroPoint);
        var lo = Vector256.Create((float)qmin);
        var hi = Vector256.Create((float)qmax);
        ref float src = ref MemoryMarshal.GetReference(x);
        ref byte dst = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i <= x.Length - 32; i += 32)
        {
            var q0 = Step(Vector256.LoadUnsafe(ref src, (nuint)i), s, z, lo, hi);
            var q1 = Step(Vector256.LoadUnsafe(ref src, (nuint)(i + 8)), s, z, lo, hi);
            var q2 = Step(Vector256.LoadUnsafe(ref src, (nuint)(i + 16)), s, z, lo, hi);
            var q3 = Step(Vector256.LoadUnsafe(ref src, (nuint)(i + 24)), s, z, lo, hi);
            var bytes = Vector256.Narrow(Vector256.Narrow(q0, q1), Vector256.Narrow(q2, q3));
            bytes.AsByte().StoreUnsafe(ref dst, (nuint)i);
        }

        return i;
    }

    // Per-lane parameters (channels along the last axis): element i uses scales[i] and zeroPoints[i].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int QuantizeVector256PerLane(
        ReadOnlySpan<float> x, ReadOnlySpan<float> scales, ReadOnlySpan<float> zeroPoints, int qmin, int qmax, Span<byte> y)
    {
        var lo = Vector256.Create((float)qmin);
        var hi = Vector256.Create((float)qmax);
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float sr = ref MemoryMarshal.GetReference(scales);
        ref float zr = ref MemoryMarshal.GetReference(zeroPoints);
        ref byte dst = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i <= x.Length - 32; i += 32)
        {
            var q0 = Step(Vector256.LoadUnsafe(ref src, (nuint)i), Vector256.LoadUnsafe(ref sr, (nuint)i), Vector256.LoadUnsafe(ref zr, (nuint)i), lo, hi);
            var q1 = Step(Vector256.LoadUnsafe(ref src, (nuint)(i + 8)), Vector256.LoadUnsafe(ref sr, (nuint)(i + 8)), Vector256.LoadUnsafe(ref zr, (nuint)(i + 8)), lo, hi);
            var q2 = Step(Vector256.LoadUnsafe(ref src, (nuint)(i + 16)), Vector256.LoadUnsafe(ref sr, (nuint)(i + 16)), Vector256.LoadUnsafe(ref zr, (nuint)(i + 16)), lo, hi);
            var q3 = Step(Vector256.LoadUnsafe(ref src, (nuint)(i + 24)), Vector256.LoadUnsafe(ref sr, (nuint)(i + 24)), Vector256.LoadUnsafe(ref zr, (nuint)(i + 24)), lo, hi);
            Vector256.Narrow(Vector256.Narrow(q0, q1), Vector256.Narrow(q2, q3)).AsByte().StoreUnsafe(ref dst, (nuint)i);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Step(Vector256<float> x, Vector256<float> s, Vector256<float> z, Vector256<float> lo, Vector256<float> hi)
    {
        var v = Vector256.Round(x / s) + z;
        var clamped = Vector256.Min(Vector256.Max(v, lo), hi);
        var result = Vector256.ConditionalSelect(Vector256.Equals(v, v), clamped, z);
        return Vector256.ConvertToInt32(result);
    }

    private static void CheckSameLength(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"The destination holds {destination} values; the source has {source}.", nameof(destination));
        }
    }

    private static void CheckScale(float scale)
    {
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and positive.");
        }
    }
}
