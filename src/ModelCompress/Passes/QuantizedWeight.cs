using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ModelCompress.Passes;

/// <summary>
/// A weight tensor quantized to int8 per output channel (<c>w ≈ scale[c] · q</c>) or per tensor (<see cref="Axis"/> −1,
/// one scale), with zero point 0. This is also a
/// layer's serialized result (<see cref="ToBytes"/>/<see cref="FromBytes"/>), so a per-layer cache can store it.
/// </summary>
public sealed class QuantizedWeight
{
    private static readonly byte[] Magic = "MCQ8"u8.ToArray();
    private const int FormatVersion = 1;

    /// <summary>
    /// Creates a quantized weight; <paramref name="scales"/> has one entry per index of <paramref name="axis"/>, or a
    /// single entry when <paramref name="axis"/> is −1 (per tensor).
    /// </summary>
    public QuantizedWeight(IReadOnlyList<long> shape, int axis, float[] scales, sbyte[] values)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(values);
        if (axis < -1 || axis >= shape.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(axis));
        }

        if (scales.Length != (axis < 0 ? 1 : shape[axis]) || values.LongLength != Data.NdArray.ElementCount(shape))
        {
            throw new ArgumentException("scales or values do not match the shape");
        }

        Shape = [.. shape];
        Axis = axis;
        Scales = scales;
        Values = values;
    }

    /// <summary>The weight's dimensions.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The output-channel axis the scales run along; −1 for a single per-tensor scale.</summary>
    public int Axis { get; }

    /// <summary>One scale per output channel, or one for the tensor (all &gt; 0).</summary>
    public float[] Scales { get; }

    /// <summary>The int8 values in row-major order.</summary>
    public sbyte[] Values { get; }

    /// <summary>The dequantized weight, <c>scale[c] · q</c>, as DequantizeLinear computes it.</summary>
    public float[] Dequantize()
    {
        var result = new float[Values.Length];
        if (Axis < 0)
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = Values[i] * Scales[0];
            }

            return result;
        }

        var (outer, channels, inner) = Int8Quantizer.Split(Shape, Axis);
        for (long o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                var s = Scales[c];
                var baseIndex = ((o * channels) + c) * inner;
                for (long i = 0; i < inner; i++)
                {
                    result[baseIndex + i] = Values[baseIndex + i] * s;
                }
            }
        }

        return result;
    }

    /// <summary>A self-describing little-endian encoding: magic, version, axis, rank, dims, scales, values.</summary>
    public byte[] ToBytes()
    {
        var size = 4 + 4 + 4 + 4 + (8 * Shape.Count) + (4 * Scales.Length) + Values.Length;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Axis);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], Shape.Count);
        var at = 16;
        foreach (var d in Shape)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], d);
            at += 8;
        }

        foreach (var s in Scales)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[at..], s);
            at += 4;
        }

        MemoryMarshal.AsBytes(Values.AsSpan()).CopyTo(span[at..]);
        return bytes;
    }

    /// <summary>Decodes <see cref="ToBytes"/>; throws <see cref="InvalidDataException"/> on anything inconsistent.</summary>
    public static QuantizedWeight FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16 || !bytes[..4].SequenceEqual(Magic) || BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) != FormatVersion)
        {
            throw new InvalidDataException("not a quantized-weight record of this version");
        }

        var axis = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var rank = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (rank is < 0 or > 8 || bytes.Length < 16 + (8 * rank) || axis < -1 || axis >= rank)
        {
            throw new InvalidDataException("bad rank or axis");
        }

        var shape = new long[rank];
        var at = 16;
        for (var i = 0; i < rank; i++, at += 8)
        {
            shape[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[at..]);
            if (shape[i] < 0)
            {
                throw new InvalidDataException("negative dimension");
            }
        }

        var count = Data.NdArray.ElementCount(shape);
        var channels = axis < 0 ? 1 : shape[axis];
        if (bytes.Length != at + (4 * channels) + count)
        {
            throw new InvalidDataException("length does not match the shape");
        }

        var scales = new float[channels];
        for (var i = 0; i < scales.Length; i++, at += 4)
        {
            scales[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[at..]);
        }

        var values = MemoryMarshal.Cast<byte, sbyte>(bytes[at..]).ToArray();
        return new QuantizedWeight(shape, axis, scales, values);
    }
}
