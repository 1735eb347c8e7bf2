using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Diagnostics;
using ModelCompress.Importers;
using ModelCompress.Onnx;

namespace ModelCompress.Text;

/// <summary>The ONNX Runtime session: interface checks, loading, and running one sequence.</summary>
public sealed partial class GreedyGenerator
{
    private static int ResolveContextLength(OnnxModel model, int? contextLength)
    {
        if (contextLength is { } given)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(given, nameof(contextLength));
            return given;
        }

        if (model.MetadataProps.TryGetValue(Llama2cImporter.ContextLengthKey, out var text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fromMetadata) && fromMetadata > 0)
        {
            return fromMetadata;
        }

        var input = model.Graph.Inputs.FirstOrDefault(i => i.Name == Llama2cImporter.InputName);
        if (input?.Shape is { Count: 2 } shape && shape[1].Value is { } fixedLength and > 0 and <= int.MaxValue)
        {
            return (int)fixedLength;
        }

        throw EngineDiagnostics.Fail("MC3521", model.FilePath, "its context length is unknown (no 'context_length' metadata, no fixed seq axis); pass contextLength");
    }

    private static void CheckInterface(OnnxModel model, Llama2cTokenizer tokenizer)
    {
        var graph = model.Graph;
        var input = graph.Inputs.FirstOrDefault(i => i.Name == Llama2cImporter.InputName);
        if (input is null || input.Kind != OnnxValueKind.Tensor || input.ElementType != TensorDataType.Int64 || input.Shape is { Count: not 2 })
        {
            throw EngineDiagnostics.Fail("MC3521", model.FilePath, "it has no int64 input 'input_ids' of rank 2");
        }

        var output = graph.Outputs.FirstOrDefault(o => o.Name == Llama2cImporter.OutputName);
        if (output is null)
        {
            throw EngineDiagnostics.Fail("MC3521", model.FilePath, "it has no output 'logits'");
        }

        if (output.Shape is { Count: 3 } shape && shape[2].Value is { } vocab && vocab != tokenizer.VocabSize)
        {
            throw EngineDiagnostics.Fail("MC3521", model.FilePath, string.Create(CultureInfo.InvariantCulture, $"its logits have {vocab} entries per position but the tokenizer has {tokenizer.VocabSize} tokens"));
        }
    }

    private static InferenceSession CreateSession(OnnxModel model, SessionOptions? sessionOptions)
    {
        var bytes = model.ToBytes();
        try
        {
            if (sessionOptions is not null)
            {
                return new InferenceSession(bytes, sessionOptions);
            }

            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            return new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw EngineDiagnostics.Fail("MC3522", model.FilePath, e, "load", e.Message);
        }
    }

    /// <summary>Runs one sequence ([1, n]) and returns its logits, checking their shape.</summary>
    private float[] Run(ReadOnlySpan<int> tokens)
    {
        var ids = new long[tokens.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = tokens[i];
        }

        try
        {
            using var input = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
            using var outputs = _session.Run(_runOptions, [Llama2cImporter.InputName], [input], [Llama2cImporter.OutputName]);
            var logits = outputs[0];
            var shape = logits.GetTensorTypeAndShape().Shape;
            if (shape.Length != 3 || shape[0] != 1 || shape[1] != ids.Length || shape[2] != Tokenizer.VocabSize)
            {
                throw EngineDiagnostics.Fail("MC3521", null, $"for [1, {ids.Length}] tokens it returned logits of shape [{string.Join(", ", shape)}], not [1, {ids.Length}, {Tokenizer.VocabSize}]");
            }

            return logits.GetTensorDataAsSpan<float>().ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            throw EngineDiagnostics.Fail("MC3522", null, e, "run", e.Message);
        }
    }
}
