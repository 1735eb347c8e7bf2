using System.Numerics;
using ModelCompress.Kernels;

namespace ModelCompress.Quantization;

/// <summary>
/// One layer's quantization result: int8 weights with their scales (symmetric, zero point 0) and, in static mode,
/// the input's per-tensor range and parameters. Serialized for the per-layer cache; the same bytes always decode to
/// the same result.
/// </summary>
internal sealed record QuantizedLinear(
    sbyte[] Values,
    long[] Dims,
    float[] Scales,
    int Axis,
    QuantizationParameters? Activation,
    float ActivationMin,
    float ActivationMax)
{
    private const int Version = 1;

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(Version);
            w.Write(Dims.Length);
            foreach (var d in Dims)
            {
                w.Write(d);
            }

            w.Write(Axis);
            w.Write(Scales.Length);
            foreach (var s in Scales)
            {
                w.Write(s);
            }

            w.Write(Activation is not null);
            w.Write(Activation?.Scale ?? 0f);
            w.Write(Activation?.ZeroPoint ?? 0);
            w.Write(ActivationMin);
            w.Write(ActivationMax);
            w.Write(Values.Length);
            w.Write((ReadOnlySpan<byte>)System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan()));
        }

        return stream.ToArray();
    }

    /// <summary>The bytes at the start of a record that <see cref="AxisOf"/> needs at most (version, rank, up to 8 dims, axis).</summary>
    public const int AxisHeadLength = sizeof(int) + sizeof(int) + (8 * sizeof(long)) + sizeof(int);

    /// <summary>
    /// The scale axis of a <see cref="ToBytes"/> record from its first bytes (<see cref="AxisHeadLength"/>), so a caller
    /// that needs only the axis does not read and decode the values; throws <see cref="InvalidDataException"/> as
    /// <see cref="FromBytes"/> would on a head it cannot read.
    /// </summary>
    public static int AxisOf(ReadOnlySpan<byte> head)
    {
        static int Int(ReadOnlySpan<byte> b, int at) => at + sizeof(int) <= b.Length
            ? System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(b[at..])
            : throw new InvalidDataException("the quantized layer record is cut short");
        var rank = Int(head, 0) == Version ? Int(head, sizeof(int)) : throw new InvalidDataException("Unknown quantized layer encoding.");
        return rank is >= 0 and <= 8 ? Int(head, (2 * sizeof(int)) + (rank * sizeof(long))) : throw new InvalidDataException("bad rank");
    }

    /// <summary>Decodes <see cref="ToBytes"/>; throws <see cref="InvalidDataException"/> on anything cut short or inconsistent.</summary>
    public static QuantizedLinear FromBytes(byte[] bytes)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes));
            if (r.ReadInt32() != Version)
            {
                throw new InvalidDataException("Unknown quantized layer encoding.");
            }

            var rank = r.ReadInt32();
            if (rank is < 0 or > 8)
            {
                throw new InvalidDataException("bad rank");
            }

            var dims = new long[rank];
            for (var i = 0; i < dims.Length; i++)
            {
                dims[i] = r.ReadInt64();
            }

            var axis = r.ReadInt32();
            var scaleCount = r.ReadInt32();
            if (axis < -1 || axis >= rank || scaleCount < 1 || scaleCount != (axis < 0 ? 1 : dims[axis]) || dims.Any(d => d < 0))
            {
                throw new InvalidDataException("the axis or scales do not match the shape");
            }

            var scales = new float[scaleCount];
            for (var i = 0; i < scales.Length; i++)
            {
                scales[i] = r.ReadSingle();
            }

            var hasActivation = r.ReadBoolean();
            var scale = r.ReadSingle();
            var zeroPoint = r.ReadInt32();
            var min = r.ReadSingle();
            var max = r.ReadSingle();
            var count = r.ReadInt32();
            if (count != Data.NdArray.ElementCount(dims) || r.BaseStream.Length - r.BaseStream.Position != count)
            {
                throw new InvalidDataException("the value count does not match the shape");
            }

            var values = new sbyte[count];
            r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            return new QuantizedLinear(values, dims, scales, axis, hasActivation ? new QuantizationParameters(scale, zeroPoint) : null, min, max);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the quantized layer record is cut short", e);
        }
    }

    /// <summary>The weights as float again: q · scale of the value's channel (Jacob et al. 2018, r = S(q − Z), Z = 0).</summary>
    public float[] Dequantize()
    {
        var result = new float[Values.Length];
        var run = RunLength();
        for (var start = 0; start < Values.Length; start += run)
        {
            var scale = ScaleOfRun(start, run);
            var q = Values.AsSpan(start, Math.Min(run, Values.Length - start));
            var r = result.AsSpan(start, q.Length);
            for (var i = 0; i < q.Length; i++)
            {
                r[i] = q[i] * scale;
            }
        }

        return result;
    }

    /// <summary>
    /// max |dequantized − <paramref name="original"/>| over all values, exactly as <see cref="Dequantize"/> followed by
    /// an element-wise comparison gives it (the same float operations; NaN propagates), without the dequantized copy.
    /// </summary>
    public double MaxAbsError(ReadOnlySpan<float> original)
    {
        if (original.Length != Values.Length)
        {
            throw new ArgumentException("the original has another element count", nameof(original));
        }

        // Math.Max over doubles returns NaN once any difference is NaN and otherwise the largest; a float maximum plus
        // a NaN flag gives the same value (float → double is exact and monotonic, and the maximum of a set does not
        // depend on the order it is taken in), so whole vectors are compared at once.
        var maxError = 0f;
        var sawNaN = false;
        var run = RunLength();
        if (Axis >= 0 && run == 1 && Scales.Length > 1)
        {
            // The channel axis is the last one (a MatMul weight per output column): value i has scale i mod channels,
            // so each row of that many values meets the scales element by element.
            for (var start = 0; start < Values.Length; start += Scales.Length)
            {
                var q = Values.AsSpan(start, Math.Min(Scales.Length, Values.Length - start));
                MaxAbsError(q, original.Slice(start, q.Length), 0f, Scales.AsSpan(0, q.Length), ref maxError, ref sawNaN);
            }
        }
        else
        {
            for (var start = 0; start < Values.Length; start += run)
            {
                var q = Values.AsSpan(start, Math.Min(run, Values.Length - start));
                MaxAbsError(q, original.Slice(start, q.Length), ScaleOfRun(start, run), [], ref maxError, ref sawNaN);
            }
        }

        return sawNaN ? double.NaN : maxError;
    }

    /// <summary>
    /// max |q·scale − original| over one stretch of values, folded into <paramref name="maxError"/> (and NaN into
    /// <paramref name="sawNaN"/>); each value's scale is <paramref name="perValue"/>[i], or <paramref name="scale"/> when
    /// that is empty. Whole vectors first — each int8 widened exactly to float and scaled with one single-precision
    /// multiplication, as the scalar loop does — then the rest one by one.
    /// </summary>
    private static void MaxAbsError(
        ReadOnlySpan<sbyte> q, ReadOnlySpan<float> original, float scale, ReadOnlySpan<float> perValue, ref float maxError, ref bool sawNaN)
    {
        var i = 0;
        var chunk = Vector<sbyte>.Count;
        if (Vector.IsHardwareAccelerated && q.Length >= chunk)
        {
            var lanes = Vector<float>.Count;
            var max = new Vector<float>(maxError);
            var nan = Vector<int>.Zero;
            var scalar = new Vector<float>(scale);
            for (; i + chunk <= q.Length; i += chunk)
            {
                Vector.Widen(new Vector<sbyte>(q[i..]), out var low, out var high);
                Vector.Widen(low, out var a, out var b);
                Vector.Widen(high, out var c, out var d);
                ReadOnlySpan<Vector<int>> parts = [a, b, c, d];
                for (var part = 0; part < 4; part++)
                {
                    var at = i + (part * lanes);
                    var scales = perValue.IsEmpty ? scalar : new Vector<float>(perValue.Slice(at, lanes));
                    var error = Vector.Abs((Vector.ConvertToSingle(parts[part]) * scales) - new Vector<float>(original.Slice(at, lanes)));
                    max = Vector.ConditionalSelect(Vector.GreaterThan(error, max), error, max);
                    nan |= Vector.OnesComplement(Vector.Equals(error, error));
                }
            }

            for (var l = 0; l < lanes; l++)
            {
                maxError = Math.Max(maxError, max[l]);
            }

            sawNaN |= nan != Vector<int>.Zero;
        }

        for (; i < q.Length; i++)
        {
            var d = MathF.Abs((q[i] * (perValue.IsEmpty ? scale : perValue[i])) - original[i]);
            if (d > maxError)
            {
                maxError = d;
            }
            else if (float.IsNaN(d))
            {
                sawNaN = true;
            }
        }
    }

    /// <summary>
    /// How many consecutive (row-major) values share one scale: the product of the dims after <see cref="Axis"/>, or
    /// all values when there is one scale. Walking runs avoids a division per value.
    /// </summary>
    private int RunLength()
    {
        var inner = 1L;
        for (var d = Axis + 1; Axis >= 0 && d < Dims.Length; d++)
        {
            inner *= Dims[d];
        }

        return (int)Math.Clamp(Axis < 0 || Scales.Length == 1 ? Values.Length : inner, 1, Math.Max(1, Values.Length));
    }

    /// <summary>The scale of the run starting at <paramref name="start"/>: channel (start / run) mod channels.</summary>
    private float ScaleOfRun(int start, int run) => Axis < 0 ? Scales[0] : Scales[(int)(start / (long)run % Scales.Length)];

    /// <summary>Quantizes a weight tensor (symmetric int8, per channel along <paramref name="axis"/> or per tensor).</summary>
    public static QuantizedLinear Weight(float[] weights, long[] dims, int axis, bool perChannel, QuantizationParameters? activation = null, float min = 0, float max = 0)
    {
        var (q, scales) = WeightQuantizer.Quantize(weights, dims, axis, perChannel);
        return new QuantizedLinear(q, dims, scales, perChannel ? axis : -1, activation, min, max);
    }
}
