using System.Globalization;
using System.Security.Cryptography;
using ModelCompress.Diagnostics;
using ModelCompress.Onnx;
using ModelCompress.Text;

namespace ModelCompress.Importers;

/// <summary>
/// Imports a llama2.c checkpoint (Karpathy's llama2.c <c>run.c</c> format) as an fp32 ONNX decoder LM: input
/// <see cref="InputName"/> int64 [batch, seq] (seq ≤ the checkpoint's seq_len), output <see cref="OutputName"/> float
/// [batch, seq, vocab]. The graph uses standard opset-17 operators only; its linear layers are plain MatMuls with
/// constant weights (see <see cref="Llama2cOnnxWriter"/> for the layout). The same checkpoint always gives the same
/// bytes.
/// </summary>
public static class Llama2cImporter
{
    /// <summary>The model's input: token ids, int64 [batch, seq].</summary>
    public const string InputName = "input_ids";

    /// <summary>The model's output: next-token logits, float [batch, seq, vocab].</summary>
    public const string OutputName = "logits";

    /// <summary>Metadata key holding the context length (the checkpoint's seq_len).</summary>
    public const string ContextLengthKey = "context_length";

    /// <summary>Metadata key holding the vocabulary size.</summary>
    public const string VocabSizeKey = "vocab_size";

    /// <summary>Metadata key holding the beginning-of-sequence token id (1 in llama2.c's vocabularies).</summary>
    public const string BosTokenKey = "bos_token_id";

    /// <summary>Metadata key holding the end-of-sequence token id (2 in llama2.c's vocabularies).</summary>
    public const string EosTokenKey = "eos_token_id";

    /// <summary>
    /// Reads <paramref name="checkpointPath"/> and returns its ONNX model. With <paramref name="tokenizerPath"/>, the
    /// tokenizer is loaded and must have the checkpoint's vocabulary size (MC3511); its SHA-256 is recorded in the
    /// metadata so that evaluation can check it is given the matching tokenizer. Errors: MC3501–MC3506 for the
    /// checkpoint, MC3501/MC3510 for the tokenizer.
    /// </summary>
    public static OnnxModel Import(string checkpointPath, string? tokenizerPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        var checkpoint = Llama2cCheckpoint.Load(checkpointPath);
        var metadata = ConfigMetadata(checkpoint.Config);
        metadata.Add(new("source_file", Path.GetFileName(checkpoint.SourcePath!)));
        metadata.Add(new("source_sha256", Sha256(checkpoint.SourcePath!)));

        if (tokenizerPath is not null)
        {
            var tokenizer = Llama2cTokenizer.Load(tokenizerPath);
            if (tokenizer.VocabSize != checkpoint.Config.VocabSize)
            {
                throw EngineDiagnostics.Fail("MC3511", tokenizer.SourcePath, tokenizer.SourcePath, tokenizer.VocabSize, checkpoint.SourcePath, checkpoint.Config.VocabSize);
            }

            metadata.Add(new("tokenizer_file", Path.GetFileName(tokenizer.SourcePath!)));
            metadata.Add(new("tokenizer_sha256", Sha256(tokenizer.SourcePath!)));
        }

        return ToOnnx(checkpoint, metadata);
    }

    /// <summary>The ONNX model of an already loaded checkpoint (metadata: the configuration, no file names or hashes).</summary>
    public static OnnxModel ToOnnx(Llama2cCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return ToOnnx(checkpoint, ConfigMetadata(checkpoint.Config));
    }

    /// <summary>
    /// The ONNX model of an already loaded checkpoint; with <paramref name="keyValueCache"/>, the decoder that also takes
    /// the keys and values of earlier positions and returns them extended (<see cref="Llama2cKeyValueCache"/>), so that a
    /// generator runs one new position per token. Its metadata add the cache layout (layers, key/value heads, head size).
    /// </summary>
    public static OnnxModel ToOnnx(Llama2cCheckpoint checkpoint, bool keyValueCache)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (!keyValueCache)
        {
            return ToOnnx(checkpoint);
        }

        var c = checkpoint.Config;
        List<KeyValuePair<string, string>> metadata =
        [
            new("source_format", "llama2.c"),
            new("llama2c_config", c.ToString()),
            new(ContextLengthKey, Invariant(c.SeqLen)),
            new(Llama2cKeyValueCache.LayersKey, Invariant(c.Layers)),
            new(Llama2cKeyValueCache.KvHeadsKey, Invariant(c.KvHeads)),
            new(Llama2cKeyValueCache.HeadSizeKey, Invariant(c.HeadSize)),
            new(VocabSizeKey, Invariant(c.VocabSize)),
        ];
        var model = Llama2cOnnxWriter.Write(checkpoint, metadata, keyValueCache: true);
        model.DocString = "Llama decoder with a key/value cache, from a llama2.c checkpoint (" + c + ").";
        return model;
    }

    /// <summary>
    /// <see cref="Import"/>s the checkpoint and saves the model to <paramref name="outputPath"/> atomically (temporary
    /// file, then rename: a reader never sees a half-written model; nothing is written when the import fails). MC1013
    /// when the file cannot be written. Returns the model.
    /// </summary>
    public static OnnxModel ImportToFile(string checkpointPath, string outputPath, string? tokenizerPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        var model = Import(checkpointPath, tokenizerPath);
        model.Save(outputPath);
        return model;
    }

    private static List<KeyValuePair<string, string>> ConfigMetadata(Llama2cConfig config) =>
    [
        new("source_format", "llama2.c"),
        new("llama2c_config", config.ToString()),
        new(ContextLengthKey, Invariant(config.SeqLen)),
        new(VocabSizeKey, Invariant(config.VocabSize)),
        new(BosTokenKey, Invariant(Llama2cTokenizer.BosId)),
        new(EosTokenKey, Invariant(Llama2cTokenizer.EosId)),
    ];

    private static OnnxModel ToOnnx(Llama2cCheckpoint checkpoint, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = Llama2cOnnxWriter.Write(checkpoint, metadata);
        model.DocString = "Llama-architecture decoder LM imported from a llama2.c checkpoint (" + checkpoint.Config + ").";
        return model;
    }

    private static string Sha256(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (EngineDiagnostics.IsFileError(e))
        {
            throw EngineDiagnostics.Unreadable(path, e);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
