using Microsoft.ML.OnnxRuntime;
using ModelCompress.Importers;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Importers;

public sealed class Llama2cImporterTests(StoriesFixture stories) : IClassFixture<StoriesFixture>, IDisposable
{
    private static readonly HashSet<string> StandardOps =
    [
        "Gather", "Mul", "ReduceMean", "Add", "Sqrt", "Reciprocal", "MatMul", "Reshape", "Split", "Sub", "Concat",
        "Transpose", "Tile", "Div", "Where", "Softmax", "Sigmoid", "Shape", "Slice", "Squeeze", "Unsqueeze", "Range", "Greater",
    ];

    private readonly Llama2cFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Model_validates_and_has_the_decoder_interface()
    {
        var model = stories.Model;
        Assert.Empty(model.Validate());
        Assert.Equal(17, model.GetOpsetVersion(string.Empty));
        Assert.Single(model.OpsetImports);

        var input = Assert.Single(model.Graph.Inputs);
        Assert.Equal("input_ids", input.Name);
        Assert.Equal(TensorDataType.Int64, input.ElementType);
        Assert.Equal(["batch", "seq"], input.Shape!.Select(d => d.ToString()));
        var output = Assert.Single(model.Graph.Outputs);
        Assert.Equal("logits", output.Name);
        Assert.Equal(TensorDataType.Float, output.ElementType);
        Assert.Equal(["batch", "seq", "512"], output.Shape!.Select(d => d.ToString()));

        Assert.Equal("512", model.MetadataProps[Llama2cImporter.ContextLengthKey]);
        Assert.Equal("512", model.MetadataProps[Llama2cImporter.VocabSizeKey]);
        Assert.Equal("stories260K.bin", model.MetadataProps["source_file"]);
        Assert.Equal("tok512.bin", model.MetadataProps["tokenizer_file"]);
        Assert.All(model.Graph.Nodes, n => Assert.True(n.IsDefaultDomain && StandardOps.Contains(n.OpType), n.OpType));
    }

    [Fact]
    public void Every_linear_layer_is_a_MatMul_with_a_transposed_constant_weight()
    {
        var model = stories.Model;
        var checkpoint = Llama2cCheckpoint.Load(StoriesFixture.CheckpointPath);
        var linears = model.Graph.Nodes.Where(n => n.OpType == "MatMul" && model.Graph.IsConstant(n.Inputs[1])).ToList();
        var expected = Enumerable.Range(0, 5).SelectMany(l => new[]
        {
            $"layers.{l}.attention.wq", $"layers.{l}.attention.wk", $"layers.{l}.attention.wv", $"layers.{l}.attention.wo",
            $"layers.{l}.feed_forward.w1", $"layers.{l}.feed_forward.w2", $"layers.{l}.feed_forward.w3",
        }).Append("output").Order(StringComparer.Ordinal);
        Assert.Equal(expected, linears.Select(n => n.Name).Order(StringComparer.Ordinal));

        // wk of layer 2: the checkpoint's [kv_dim=32, dim=64] row-major matrix becomes a [64, 32] initializer.
        var wk = model.Graph.Initializers["layers.2.attention.wk.weight"];
        Assert.Equal([64L, 32L], wk.Dims);
        var stored = checkpoint.Layer(checkpoint.Wk, 2).Span;
        var values = wk.ToFloatArray();
        foreach (var (o, i) in new[] { (0, 0), (31, 0), (0, 63), (17, 40) })
        {
            Assert.Equal(stored[(o * 64) + i], values[(i * 32) + o]);
        }

        var output = model.Graph.Initializers["output.weight"];
        Assert.Equal([64L, 512L], output.Dims);
        Assert.Equal(checkpoint.TokenEmbeddings.Span[(7 * 64) + 3], output.ToFloatArray()[(3 * 512) + 7]);
    }

    [Fact]
    public void Each_linear_input_is_an_RMSNorm_gamma_Mul_or_an_activation()
    {
        var graph = stories.Model.Graph;
        string GammaOf(string matmul)
        {
            var producer = graph.GetProducer(graph.FindNode(matmul)!.Inputs[0])!;
            Assert.Equal("Mul", producer.OpType);
            Assert.True(graph.IsConstant(producer.Inputs[1]));
            return producer.Inputs[1];
        }

        for (var l = 0; l < 5; l++)
        {
            Assert.All(new[] { "wq", "wk", "wv" }, p => Assert.Equal($"layers.{l}.attention_norm.weight", GammaOf($"layers.{l}.attention.{p}")));
            Assert.All(new[] { "w1", "w3" }, p => Assert.Equal($"layers.{l}.ffn_norm.weight", GammaOf($"layers.{l}.feed_forward.{p}")));
            Assert.Equal([64L], graph.Initializers[$"layers.{l}.ffn_norm.weight"].Dims);
        }

        Assert.Equal("norm.weight", GammaOf("output"));
    }

    [Fact]
    public void Model_round_trips_through_save_and_load_and_import_is_deterministic()
    {
        var model = stories.Model;
        var bytes = model.ToBytes();
        Assert.Equal(bytes, OnnxModel.FromBytes(bytes).ToBytes());
        Assert.Equal(bytes, Llama2cImporter.Import(StoriesFixture.CheckpointPath, StoriesFixture.TokenizerPath).ToBytes());

        var path = _files.PathOf("out/stories.onnx");
        var written = Llama2cImporter.ImportToFile(StoriesFixture.CheckpointPath, path, StoriesFixture.TokenizerPath);
        Assert.Equal(bytes, written.ToBytes());
        Assert.Equal(["stories.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        var loaded = OnnxModel.Load(path);
        Assert.Empty(loaded.Validate());
        Assert.Equal(bytes, loaded.ToBytes());
    }

    [Fact]
    public void Onnx_logits_equal_a_reference_run_c_forward_pass()
    {
        var checkpoint = Llama2cCheckpoint.Load(StoriesFixture.CheckpointPath);
        int[] tokens = [1, 403, 407, 261, 378, 11, 400, 300, 5, 511, 2, 270];
        var expected = ReferenceLlama.Forward(checkpoint, tokens);
        var actual = RunOnnx(stories.Model, [tokens]);
        AssertClose(expected, actual[0], 2e-4f);
    }

    [Fact]
    public void Unshared_classifier_and_grouped_query_attention_match_the_reference_with_a_batch()
    {
        var path = _files.RandomCheckpoint("tiny.bin", dim: 16, hidden: 24, layers: 2, heads: 4, kvHeads: 2, vocab: -20, seqLen: 8);
        var checkpoint = Llama2cCheckpoint.Load(path);
        var model = Llama2cImporter.ToOnnx(checkpoint);
        Assert.Empty(model.Validate());
        var classifier = model.Graph.Initializers["output.weight"].ToFloatArray(); // [dim 16, vocab 20]
        Assert.Equal(checkpoint.Classifier.Span[(19 * 16) + 2], classifier[(2 * 20) + 19]);
        Assert.NotEqual(checkpoint.TokenEmbeddings.Span[(19 * 16) + 2], classifier[(2 * 20) + 19]);

        int[][] batch = [[1, 5, 19, 0, 7, 7, 3, 12], [2, 2, 18, 4, 0, 1, 9, 10]];
        var actual = RunOnnx(model, batch);
        for (var b = 0; b < batch.Length; b++)
        {
            AssertClose(ReferenceLlama.Forward(checkpoint, batch[b]), actual[b], 1e-4f);
        }
    }

    [Fact]
    public void Tokenizer_with_another_vocabulary_size_is_MC3511()
    {
        var tokenizer = _files.Tokenizer("small.bin", 8, (0, "<unk>"), (0, "<s>"), (0, "</s>"));
        var e = Assert.Throws<ModelCompressException>(() => Llama2cImporter.Import(StoriesFixture.CheckpointPath, tokenizer));
        Assert.Equal("MC3511", e.Code);
        Assert.Contains("512", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_import_writes_no_output()
    {
        var output = _files.PathOf("never.onnx");
        var e = Assert.Throws<ModelCompressException>(() => Llama2cImporter.ImportToFile(_files.Raw("x.bin", new byte[3]), output));
        Assert.Equal("MC3502", e.Code);
        Assert.False(File.Exists(output));
    }

    /// <summary>
    /// The key/value-cache decoder on a small grouped-query checkpoint: a prompt alone runs as the plain decoder does (the
    /// cache inputs default to empty), and a token fed with the cache the prompt returned gets run.c's logits for it.
    /// </summary>
    [Fact]
    public void The_cache_decoder_runs_a_prompt_alone_and_then_one_token_on_its_cache_as_run_c_does()
    {
        var path = _files.RandomCheckpoint("tiny.bin", dim: 16, hidden: 24, layers: 2, heads: 4, kvHeads: 2, vocab: 20, seqLen: 8);
        var checkpoint = Llama2cCheckpoint.Load(path);
        var model = Llama2cImporter.ToOnnx(checkpoint, keyValueCache: true);
        Assert.Empty(model.Validate());
        Assert.Equal(["input_ids", "past_key.0", "past_value.0", "past_key.1", "past_value.1"], model.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(["logits", "present_key.0", "present_value.0", "present_key.1", "present_value.1"], model.Graph.Outputs.Select(o => o.Name));
        Assert.Equal("2", model.MetadataProps[Llama2cKeyValueCache.LayersKey]);
        int[] tokens = [1, 5, 19, 0, 7, 3];
        var bytes = model.ToBytes();

        var prompt = OrtRun.Run(bytes, OrtInput.Int64("input_ids", [.. tokens[..5].Select(t => (long)t)], 1, 5));
        AssertClose(ReferenceLlama.Forward(checkpoint, tokens[..5]), prompt[0].Floats, 1e-4f);
        Assert.Equal(new long[] { 1, 2, 5, 4 }, prompt[1].Shape); // [batch, kv_heads, positions so far, head_size]

        var past = Enumerable.Range(1, 4).Select(i => OrtInput.Float(model.Graph.Inputs[i].Name, prompt[i].Floats, [.. prompt[i].Shape]));
        var next = OrtRun.Run(bytes, [OrtInput.Int64("input_ids", [tokens[5]], 1, 1), .. past]);
        var whole = ReferenceLlama.Forward(checkpoint, tokens);
        AssertClose(whole[(5 * 20)..], next[0].Floats, 1e-4f);
        Assert.Equal(new long[] { 1, 2, 6, 4 }, next[1].Shape);
    }

    /// <summary>Runs a [batch, seq] batch through ONNX Runtime and returns each row's [seq, vocab] logits.</summary>
    internal static float[][] RunOnnx(OnnxModel model, int[][] batch)
    {
        using var session = new InferenceSession(model.ToBytes());
        var seq = batch[0].Length;
        var ids = batch.SelectMany(r => r.Select(t => (long)t)).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(ids, [batch.Length, seq]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids"], [input], ["logits"]);
        var all = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var perRow = all.Length / batch.Length;
        return [.. Enumerable.Range(0, batch.Length).Select(b => all.AsSpan(b * perRow, perRow).ToArray())];
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1f, Math.Abs(e))).Max();
        Assert.True(worst <= tolerance, $"largest relative difference {worst}");
    }
}
