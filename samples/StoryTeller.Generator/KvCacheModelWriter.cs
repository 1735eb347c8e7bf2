using ModelCompress.Importers;
using ModelCompress.Onnx;

namespace StoryTeller.Generator;

/// <summary>
/// Writes a llama2.c checkpoint as the fp32 ONNX decoder the StoryTeller app runs: the product's llama2.c importer with
/// its key/value cache (<see cref="Llama2cImporter.ToOnnx(Llama2cCheckpoint, bool)"/>; names in
/// <see cref="Llama2cKeyValueCache"/>), so that generating one more token runs one position instead of the whole text,
/// while a run that feeds only <c>input_ids</c> is a plain prompt run the compressor can calibrate and verify on.
/// </summary>
public static class KvCacheModelWriter
{
    /// <summary>The model of <paramref name="checkpoint"/>; the same checkpoint always gives the same bytes.</summary>
    public static OnnxModel Write(Llama2cCheckpoint checkpoint)
    {
        var model = Llama2cImporter.ToOnnx(checkpoint, keyValueCache: true);

        // The file the sample ships says which tool wrote it.
        model.ProducerName = "StoryTeller.Generator";
        return model;
    }
}
