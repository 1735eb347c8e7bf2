using System.Runtime.InteropServices;
using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Widening conversions to managed arrays (always copies).</summary>
public sealed partial class OnnxTensor
{
    /// <summary>
    /// The elements as floats. Float16 and BFloat16 widen exactly; integer types (including packed Int4/UInt4,
    /// low nibble first) convert to the nearest float; Double rounds. Other types are MC1011.
    /// </summary>
    public float[] ToFloatArray()
    {
        var result = new float[CheckedArrayLength()];
        var raw = GetRawData().Span;
        switch (DataType)
        {
            case TensorDataType.Float:
                MemoryMarshal.Cast<byte, float>(raw).CopyTo(result);
                break;
            case TensorDataType.Double:
                Widen(MemoryMarshal.Cast<byte, double>(raw), result, v => (float)v);
                break;
            case TensorDataType.Float16:
                Widen(MemoryMarshal.Cast<byte, Half>(raw), result, v => (float)v);
                break;
            case TensorDataType.BFloat16:
                Widen(MemoryMarshal.Cast<byte, ushort>(raw), result, FloatBits.BFloat16ToFloat);
                break;
            case TensorDataType.Int8:
                Widen(MemoryMarshal.Cast<byte, sbyte>(raw), result, v => v);
                break;
            case TensorDataType.UInt8 or TensorDataType.Bool:
                Widen(raw, result, v => v);
                break;
            case TensorDataType.Int16:
                Widen(MemoryMarshal.Cast<byte, short>(raw), result, v => v);
                break;
            case TensorDataType.UInt16:
                Widen(MemoryMarshal.Cast<byte, ushort>(raw), result, v => v);
                break;
            case TensorDataType.Int32:
                Widen(MemoryMarshal.Cast<byte, int>(raw), result, v => v);
                break;
            case TensorDataType.UInt32:
                Widen(MemoryMarshal.Cast<byte, uint>(raw), result, v => v);
                break;
            case TensorDataType.Int64:
                Widen(MemoryMarshal.Cast<byte, long>(raw), result, v => v);
                break;
            case TensorDataType.UInt64:
                Widen(MemoryMarshal.Cast<byte, ulong>(raw), result, v => v);
                break;
            case TensorDataType.Int4:
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = Int4At(raw, i);
                }

                break;
            case TensorDataType.UInt4:
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = UInt4At(raw, i);
                }

                break;
            default:
                throw OnnxErrors.Create("MC1011", null, Name, DataType, nameof(ToFloatArray));
        }

        return result;
    }

    /// <summary>The elements of an integer or Bool tensor as longs (shape tensors, indices, axes).</summary>
    public long[] ToInt64Array()
    {
        var result = new long[CheckedArrayLength()];
        var raw = GetRawData().Span;
        switch (DataType)
        {
            case TensorDataType.Int64:
                MemoryMarshal.Cast<byte, long>(raw).CopyTo(result);
                break;
            case TensorDataType.Int32:
                Widen(MemoryMarshal.Cast<byte, int>(raw), result, v => v);
                break;
            case TensorDataType.UInt32:
                Widen(MemoryMarshal.Cast<byte, uint>(raw), result, v => v);
                break;
            case TensorDataType.Int16:
                Widen(MemoryMarshal.Cast<byte, short>(raw), result, v => v);
                break;
            case TensorDataType.UInt16:
                Widen(MemoryMarshal.Cast<byte, ushort>(raw), result, v => v);
                break;
            case TensorDataType.Int8:
                Widen(MemoryMarshal.Cast<byte, sbyte>(raw), result, v => v);
                break;
            case TensorDataType.UInt8 or TensorDataType.Bool:
                Widen(raw, result, v => v);
                break;
            case TensorDataType.UInt64:
                Widen(MemoryMarshal.Cast<byte, ulong>(raw), result, v => checked((long)v));
                break;
            case TensorDataType.Int4:
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = Int4At(raw, i);
                }

                break;
            case TensorDataType.UInt4:
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = UInt4At(raw, i);
                }

                break;
            default:
                throw OnnxErrors.Create("MC1011", null, Name, DataType, nameof(ToInt64Array));
        }

        return result;
    }

    /// <summary>The values of an Int4 tensor, one per sbyte, in [-8, 7].</summary>
    public sbyte[] UnpackInt4()
    {
        if (DataType != TensorDataType.Int4)
        {
            throw OnnxErrors.Create("MC1011", null, Name, DataType, nameof(UnpackInt4));
        }

        var raw = GetRawData().Span;
        var result = new sbyte[CheckedArrayLength()];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Int4At(raw, i);
        }

        return result;
    }

    /// <summary>The values of a UInt4 tensor, one per byte, in [0, 15].</summary>
    public byte[] UnpackUInt4()
    {
        if (DataType != TensorDataType.UInt4)
        {
            throw OnnxErrors.Create("MC1011", null, Name, DataType, nameof(UnpackUInt4));
        }

        var raw = GetRawData().Span;
        var result = new byte[CheckedArrayLength()];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = UInt4At(raw, i);
        }

        return result;
    }

    // Element i lives in byte i/2; even elements in the low nibble (ONNX IR, "4-bit integer types").
    private static byte UInt4At(ReadOnlySpan<byte> raw, int i) => (byte)((raw[i >> 1] >> ((i & 1) * 4)) & 0x0F);

    // Sign-extend the 4-bit two's-complement value by shifting it into the top of a byte and back.
    private static sbyte Int4At(ReadOnlySpan<byte> raw, int i) => (sbyte)((sbyte)(UInt4At(raw, i) << 4) >> 4);

    private static void Widen<TIn, TOut>(ReadOnlySpan<TIn> source, Span<TOut> destination, Func<TIn, TOut> convert)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = convert(source[i]);
        }
    }

    private int CheckedArrayLength()
    {
        if (ElementCount > Array.MaxLength)
        {
            throw OnnxErrors.Create("MC1011", null, Name, DataType, $"a managed array of {ElementCount} elements");
        }

        return (int)ElementCount;
    }
}
