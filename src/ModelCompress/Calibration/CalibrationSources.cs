using System.Text;
using ModelCompress.Data;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Text;

namespace ModelCompress.Calibration;

/// <summary>Opens a recipe's <c>calibration:</c> data as samples for a model.</summary>
public static class CalibrationSources
{
    /// <summary>
    /// The calibration samples of <paramref name="settings"/> for <paramref name="model"/>: seeded text windows
    /// (byte-level or llama2.c tokens), or the first <c>samples</c> rows of .npy/.npz/IDX arrays bound to the model
    /// inputs.
    /// </summary>
    public static ICalibrationSource Create(CalibrationSettings settings, OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        var data = settings.Data;
        var inputs = ModelInputs(model);
        if (data.Format != DataFormat.Text)
        {
            return new ArrayCalibrationSource(DataFileReader.ReadSamples(data.Path, inputs, settings.Samples, data.Input, data.Format));
        }

        var input = data.Input is { } name
            ? inputs.FirstOrDefault(i => i.Name == name) ?? throw EngineDiagnostics.Fail("MC3106", data.Path, name, string.Join(", ", inputs.Select(i => i.Name)))
            : inputs.Count > 0 ? inputs[0] : throw EngineDiagnostics.Fail("MC3106", data.Path, "(none)", "(the model has no inputs)");
        if (input.ElementType is not (NdElementType.Int64 or NdElementType.Int32))
        {
            throw EngineDiagnostics.Fail("MC3107", data.Path, input.Name, input.ElementType);
        }

        var tokens = Tokenize(data);
        var seqLen = data.SeqLen ?? DataSource.DefaultSeqLen;
        var source = new TextCalibrationSource(tokens, seqLen, settings.Samples, settings.Seed, input.Name,
            input.ElementType == NdElementType.Int32 ? TensorDataType.Int32 : TensorDataType.Int64, data.Path);
        return source.Count > 0 ? source : throw EngineDiagnostics.Fail("MC3108", data.Path, data.Path, tokens.Length, seqLen);
    }

    /// <summary>The token ids of a text file: its UTF-8 bytes, or llama2.c tokens (BOS first, as run.c encodes a prompt).</summary>
    public static int[] Tokenize(DataSource data)
    {
        ArgumentNullException.ThrowIfNull(data);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(data.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw EngineDiagnostics.Fail("MC3109", data.Path, e, data.Path, e.Message);
        }

        if (data.Tokenizer != TokenizerKind.Llama2C)
        {
            return [.. bytes.Select(b => (int)b)];
        }

        var tokenizer = Llama2cTokenizer.Load(data.TokenizerPath!);
        return tokenizer.Encode(Encoding.UTF8.GetString(bytes), bos: true, eos: false);
    }

    /// <summary>The model's real inputs (graph inputs that are not initializers) as data binding sees them.</summary>
    public static IReadOnlyList<ModelInputInfo> ModelInputs(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        return [.. graph.Inputs
            .Where(i => !graph.Initializers.ContainsKey(i.Name))
            .Select(i => new ModelInputInfo(i.Name, ToNd(i.ElementType), [.. (i.Shape ?? []).Select(d => d.Value is { } v && v > 0 ? v : -1L)]))];
    }

    private static NdElementType ToNd(TensorDataType type) => type switch
    {
        TensorDataType.Float => NdElementType.Float32,
        TensorDataType.Double => NdElementType.Float64,
        TensorDataType.Float16 => NdElementType.Float16,
        TensorDataType.Int8 => NdElementType.Int8,
        TensorDataType.UInt8 => NdElementType.UInt8,
        TensorDataType.Int16 => NdElementType.Int16,
        TensorDataType.UInt16 => NdElementType.UInt16,
        TensorDataType.Int32 => NdElementType.Int32,
        TensorDataType.UInt32 => NdElementType.UInt32,
        TensorDataType.Int64 => NdElementType.Int64,
        TensorDataType.UInt64 => NdElementType.UInt64,
        TensorDataType.Bool => NdElementType.Bool,
        _ => NdElementType.Float32,
    };
}
