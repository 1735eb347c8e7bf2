using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelCompress.Testing;

/// <summary>An input for <see cref="OrtRun"/>: a name, element values and a shape.</summary>
public sealed record OrtInput(string Name, Array Data, long[] Shape)
{
    /// <summary>A float input.</summary>
    public static OrtInput Float(string name, float[] data, params long[] shape) => new(name, data, shape);

    /// <summary>An int64 input.</summary>
    public static OrtInput Int64(string name, long[] data, params long[] shape) => new(name, data, shape);
}

/// <summary>One output of an ONNX Runtime run: type, shape and the raw bytes of its elements (for bit-exact comparison).</summary>
public sealed record OrtOutput(string Name, TensorElementType ElementType, long[] Shape, byte[] RawBytes)
{
    /// <summary>The elements as floats (only for float outputs).</summary>
    public float[] Floats => ElementType == TensorElementType.Float
        ? MemoryMarshal.Cast<byte, float>(RawBytes).ToArray()
        : throw new InvalidOperationException($"Output '{Name}' is {ElementType}.");
}

/// <summary>Runs models in ONNX Runtime (CPU, single-threaded, default graph optimisations) and returns every output's raw bytes.</summary>
public static class OrtRun
{
    /// <summary>Options that make runs reproducible: one thread, sequential execution (parallel reductions could reorder sums).</summary>
    public static SessionOptions DeterministicOptions()
    {
        var o = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        return o;
    }

    /// <summary>Runs the model file at <paramref name="modelPath"/> (external data is found beside it).</summary>
    public static IReadOnlyList<OrtOutput> Run(string modelPath, params OrtInput[] inputs)
    {
        using var options = DeterministicOptions();
        using var session = new InferenceSession(modelPath, options);
        return Run(session, inputs);
    }

    /// <summary>Runs a serialized model.</summary>
    public static IReadOnlyList<OrtOutput> Run(byte[] model, params OrtInput[] inputs)
    {
        using var options = DeterministicOptions();
        using var session = new InferenceSession(model, options);
        return Run(session, inputs);
    }

    /// <summary>Runs an open session with every output requested.</summary>
    public static IReadOnlyList<OrtOutput> Run(InferenceSession session, params OrtInput[] inputs)
    {
        ArgumentNullException.ThrowIfNull(session);
        var values = inputs.Select(ToOrtValue).ToList();
        try
        {
            var outputNames = session.OutputNames;
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [.. inputs.Select(i => i.Name)], values, outputNames);
            return [.. results.Select((r, i) => ToOutput(outputNames[i], r))];
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    private static OrtValue ToOrtValue(OrtInput input) => input.Data switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, input.Shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, input.Shape),
        int[] i => OrtValue.CreateTensorValueFromMemory(i, input.Shape),
        byte[] b => OrtValue.CreateTensorValueFromMemory(b, input.Shape),
        sbyte[] s => OrtValue.CreateTensorValueFromMemory(s, input.Shape),
        bool[] b => OrtValue.CreateTensorValueFromMemory(b, input.Shape),
        _ => throw new NotSupportedException($"Input '{input.Name}' has unsupported element type {input.Data.GetType()}."),
    };

    private static OrtOutput ToOutput(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var bytes = info.ElementDataType switch
        {
            TensorElementType.Float => MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<float>()).ToArray(),
            TensorElementType.Int64 => MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<long>()).ToArray(),
            TensorElementType.Int32 => MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<int>()).ToArray(),
            TensorElementType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray(),
            TensorElementType.Int8 => MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<sbyte>()).ToArray(),
            TensorElementType.Bool => MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<bool>()).ToArray(),
            TensorElementType.Double => MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<double>()).ToArray(),
            _ => throw new NotSupportedException($"Output '{name}' has unsupported element type {info.ElementDataType}."),
        };
        return new OrtOutput(name, info.ElementDataType, info.Shape, bytes);
    }
}
