using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Data;
using ModelCompress.Diagnostics;
using ModelCompress.Execution;

namespace ModelCompress.Verification;

/// <summary>
/// One ONNX Runtime session for verification. Sessions run single-threaded so the same model and data give the same
/// outputs, and therefore the same report, on every run; ORT's own logging is silenced because the engine reports
/// only through its diagnostic sink.
/// </summary>
internal sealed class OrtModelRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _displayName;

    public OrtModelRunner(string modelPath, string displayName)
        : this(displayName, modelPath, options => new InferenceSession(modelPath, options))
    {
    }

    /// <summary>A session over in-memory model bytes (models without external data).</summary>
    public OrtModelRunner(byte[] modelBytes, string displayName)
        : this(displayName, null, options => new InferenceSession(modelBytes, options))
    {
    }

    private OrtModelRunner(string displayName, string? file, Func<SessionOptions, InferenceSession> open)
    {
        _displayName = displayName;
        using var options = CreateOptions();
        try
        {
            _session = open(options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw EngineDiagnostics.Fail("MC5004", file, displayName, OneLine(ex.Message));
        }

        Inputs = [.. _session.InputNames.Select(n => ToInfo(n, _session.InputMetadata[n]))];
        OutputNames = [.. _session.OutputNames];
    }

    /// <summary>Verification's session options: one thread, sequential, ONNX Runtime's own logging silenced.</summary>
    internal static SessionOptions CreateOptions() => new()
    {
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };

    /// <summary>How verification runs model segments: its session options, MC5004 for a failure, <paramref name="progress"/>.</summary>
    internal static SegmentSessions SegmentSessions(string displayName, Action<long, long>? progress = null) => new(
        bytes =>
        {
            using var options = CreateOptions();
            return new InferenceSession(bytes, options);
        },
        (e, where) => EngineDiagnostics.Fail("MC5004", null, displayName, $"{where}: {OneLine(e.Message)}"),
        progress);

    /// <summary>The model inputs in graph order.</summary>
    public IReadOnlyList<ModelInputInfo> Inputs { get; }

    /// <summary>The model outputs in graph order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Runs one sample and returns the first output as floats with its shape.</summary>
    public (float[] Values, long[] Shape) RunPrimary(IReadOnlyList<(ModelInputInfo Input, NdArray Value)> sample, CancellationToken ct) =>
        Run(sample, [OutputNames[0]], ct)[0];

    /// <summary>Runs one sample and returns the named outputs as floats with their shapes, in the order asked.</summary>
    public IReadOnlyList<(float[] Values, long[] Shape)> Run(
        IReadOnlyList<(ModelInputInfo Input, NdArray Value)> sample, IReadOnlyList<string> outputNames, CancellationToken ct)
    {
        var values = new List<OrtValue>(sample.Count);
        using var runOptions = new RunOptions();
        using var registration = ct.Register(() => runOptions.Terminate = true);
        try
        {
            foreach (var (_, value) in sample)
            {
                values.Add(ToOrtValue(value));
            }

            using var outputs = _session.Run(runOptions, sample.Select(s => s.Input.Name).ToList(), values, outputNames);
            ct.ThrowIfCancellationRequested();
            var results = new List<(float[], long[])>(outputs.Count);
            for (var i = 0; i < outputs.Count; i++)
            {
                results.Add(ToFloats(outputs[i], outputNames[i], _displayName));
            }

            return results;
        }
        catch (OnnxRuntimeException ex)
        {
            ct.ThrowIfCancellationRequested();
            throw EngineDiagnostics.Fail("MC5004", null, _displayName, OneLine(ex.Message));
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    public void Dispose() => _session.Dispose();

    /// <summary>An output as floats with its shape (the form the metrics compare); MC5004 for types that cannot be compared.</summary>
    internal static (float[] Values, long[] Shape) ToFloats(OrtValue output, string name, string displayName)
    {
        var info = output.GetTensorTypeAndShape();
        float[] result = info.ElementDataType switch
        {
            TensorElementType.Float => output.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => [.. output.GetTensorDataAsSpan<double>().ToArray().Select(d => (float)d)],
            TensorElementType.Float16 => [.. output.GetTensorDataAsSpan<Float16>().ToArray().Select(h => h.ToFloat())],
            TensorElementType.Int64 => [.. output.GetTensorDataAsSpan<long>().ToArray().Select(v => (float)v)],
            TensorElementType.Int32 => [.. output.GetTensorDataAsSpan<int>().ToArray().Select(v => (float)v)],
            _ => throw EngineDiagnostics.Fail("MC5004", null, displayName, $"output '{name}' has element type {info.ElementDataType}, which cannot be compared"),
        };
        return (result, info.Shape);
    }

    /// <summary>A message on one line.</summary>
    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static ModelInputInfo ToInfo(string name, NodeMetadata meta)
    {
        var type = meta.IsTensor ? meta.ElementDataType switch
        {
            TensorElementType.Float => NdElementType.Float32,
            TensorElementType.Double => NdElementType.Float64,
            TensorElementType.Float16 => NdElementType.Float16,
            TensorElementType.Int8 => NdElementType.Int8,
            TensorElementType.UInt8 => NdElementType.UInt8,
            TensorElementType.Int16 => NdElementType.Int16,
            TensorElementType.UInt16 => NdElementType.UInt16,
            TensorElementType.Int32 => NdElementType.Int32,
            TensorElementType.UInt32 => NdElementType.UInt32,
            TensorElementType.Int64 => NdElementType.Int64,
            TensorElementType.UInt64 => NdElementType.UInt64,
            TensorElementType.Bool => NdElementType.Bool,
            _ => throw EngineDiagnostics.Fail("MC5004", null, name, $"input '{name}' has element type {meta.ElementDataType}, which verification cannot feed"),
        } : throw EngineDiagnostics.Fail("MC5004", null, name, $"input '{name}' is not a tensor");
        return new ModelInputInfo(name, type, [.. meta.Dimensions.Select(d => d <= 0 ? -1L : d)]);
    }

    private static OrtValue ToOrtValue(NdArray value)
    {
        var shape = value.Shape.ToArray();
        return value.ElementType switch
        {
            NdElementType.Float32 => OrtValue.CreateTensorValueFromMemory((float[])value.Data, shape),
            NdElementType.Float64 => OrtValue.CreateTensorValueFromMemory((double[])value.Data, shape),
            NdElementType.Int64 => OrtValue.CreateTensorValueFromMemory((long[])value.Data, shape),
            NdElementType.Int32 => OrtValue.CreateTensorValueFromMemory((int[])value.Data, shape),
            NdElementType.Int8 => OrtValue.CreateTensorValueFromMemory((sbyte[])value.Data, shape),
            NdElementType.UInt8 => OrtValue.CreateTensorValueFromMemory((byte[])value.Data, shape),
            NdElementType.Int16 => OrtValue.CreateTensorValueFromMemory((short[])value.Data, shape),
            NdElementType.UInt16 => OrtValue.CreateTensorValueFromMemory((ushort[])value.Data, shape),
            NdElementType.UInt32 => OrtValue.CreateTensorValueFromMemory((uint[])value.Data, shape),
            NdElementType.UInt64 => OrtValue.CreateTensorValueFromMemory((ulong[])value.Data, shape),
            NdElementType.Bool => OrtValue.CreateTensorValueFromMemory((bool[])value.Data, shape),
            NdElementType.Float16 => OrtValue.CreateTensorValueFromMemory(
                ((Half[])value.Data).Select(h => new Float16(BitConverter.HalfToUInt16Bits(h))).ToArray(), shape),
            _ => throw new NotSupportedException("unsupported input element type"),
        };
    }
}
