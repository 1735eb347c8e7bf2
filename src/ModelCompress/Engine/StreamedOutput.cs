using ModelCompress.Onnx;

namespace ModelCompress.Engine;

/// <summary>
/// How a compressed model is written. A model whose source kept its weights in an external data file, or whose
/// tensors would not fit one protobuf message, is written with external data: each large tensor streamed into
/// <c>&lt;name&gt;.onnx.data</c> as the writer reaches it and the model file last, both staged in the run's
/// <see cref="OutputTransaction"/> — the output is never held whole in memory. Every other model is serialized in one
/// piece, inline, exactly as before (its bytes do not change).
/// </summary>
internal static class StreamedOutput
{
    /// <summary>Whether <paramref name="model"/> is written with external data.</summary>
    /// <param name="model">The compressed model.</param>
    /// <param name="sourceFiles">The files the source model was loaded from (the model file, then its data files).</param>
    public static bool Applies(OnnxModel model, IReadOnlyCollection<string> sourceFiles)
    {
        if (sourceFiles.Count > 1)
        {
            return true;
        }

        long bytes = 0;
        var tensors = model.Graph.AllGraphsRecursive().SelectMany(g => g.Initializers.Values)
            .Concat(model.Graph.AllNodesRecursive().SelectMany(n => n.Attributes).SelectMany(a => a.Tensors));
        foreach (var tensor in tensors)
        {
            bytes += tensor.ByteLength;
            if (bytes > OnnxSaveOptions.InlineLimitBytes)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Stages <paramref name="model"/> for <paramref name="outputPath"/> with external data; returns the staged model
    /// path (which opens with its data beside it) and the bytes of both files.
    /// </summary>
    public static (string StagedPath, long Bytes) Stage(OutputTransaction outputs, string outputPath, OnnxModel model)
    {
        long written = 0;
        var dataName = Path.GetFileName(outputPath) + ".data";
        var staged = outputs.StageModel(outputPath, dataName, (modelPath, dataPath) =>
        {
            var (modelBytes, dataBytes) = model.WriteWithExternalData(modelPath, dataPath, dataName);
            written = modelBytes + dataBytes;
        });
        return (staged, written);
    }
}
