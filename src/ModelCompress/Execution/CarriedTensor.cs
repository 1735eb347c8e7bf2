using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelCompress.Execution;

/// <summary>A tensor held between segments (or fed from a sample): element type, shape and its raw little-endian bytes.</summary>
/// <param name="Type">The element type (ONNX numbering, as ONNX Runtime's enum).</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Data">The elements' bytes, row-major.</param>
internal sealed record CarriedTensor(TensorElementType Type, long[] Shape, byte[] Data)
{
    /// <summary>Copies an ONNX Runtime tensor (string tensors cannot be carried).</summary>
    public static CarriedTensor From(OrtValue value, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType == TensorElementType.String)
        {
            throw new NotSupportedException($"'{name}' is a string tensor, which a segment cut cannot carry");
        }

        return new CarriedTensor(info.ElementDataType, info.Shape, value.GetTensorMutableRawData().ToArray());
    }

    /// <summary>Wraps a managed array of a sample (float, long, int, double, byte, sbyte, bool, short, ushort, uint, ulong, Half).</summary>
    public static CarriedTensor From(Array data, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data switch
        {
            float[] a => new(TensorElementType.Float, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            long[] a => new(TensorElementType.Int64, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            int[] a => new(TensorElementType.Int32, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            double[] a => new(TensorElementType.Double, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            byte[] a => new(TensorElementType.UInt8, shape, (byte[])a.Clone()),
            sbyte[] a => new(TensorElementType.Int8, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            bool[] a => new(TensorElementType.Bool, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            short[] a => new(TensorElementType.Int16, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            ushort[] a => new(TensorElementType.UInt16, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            uint[] a => new(TensorElementType.UInt32, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            ulong[] a => new(TensorElementType.UInt64, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            Half[] a => new(TensorElementType.Float16, shape, MemoryMarshal.AsBytes(a.AsSpan()).ToArray()),
            _ => throw new NotSupportedException($"a sample array of {data.GetType().Name} cannot be fed to a segment"),
        };
    }

    /// <summary>Every sample of <paramref name="samples"/> as tensors by input name (a segmented run's input).</summary>
    public static List<IReadOnlyDictionary<string, CarriedTensor>> Samples(Data.SampleSet samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return [.. Enumerable.Range(0, (int)samples.Count).Select(i => (IReadOnlyDictionary<string, CarriedTensor>)samples.GetSample(i)
            .ToDictionary(s => s.Input.Name, s => From(s.Value.Data, [.. s.Value.Shape]), StringComparer.Ordinal))];
    }

    /// <summary>A new ONNX Runtime tensor holding a copy of the bytes (the caller disposes it).</summary>
    public OrtValue ToOrtValue()
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Type, Shape);
        Data.CopyTo(value.GetTensorMutableRawData());
        return value;
    }
}
