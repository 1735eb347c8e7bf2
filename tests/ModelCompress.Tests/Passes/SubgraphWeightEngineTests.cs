using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// Weights in Constant nodes and inside If/Loop/Scan subgraphs, and LSTM weights, through the engine (the path
/// <c>dotnet build</c> runs), checked in ONNX Runtime against the fp32 model.
/// </summary>
public sealed class SubgraphWeightEngineTests
{
    [Fact]
    public void Silero_style_model_weight_only_is_under_035x_and_streams_speech_like_audio_at_both_rates_with_cosine_0999()
    {
        using var p = new TestProject();
        var source = p.AddModel("vad.onnx", SileroStyleModel.Build());
        var m = CompressWeightOnly(p, "vad.onnx", allowOutside: false);

        Assert.True(m.SizeRatio <= 0.35, $"size ratio {m.SizeRatio:F3}");
        Assert.Equal(16, m.Steps[0].Layers.Count); // 2 × (6 Conv + LSTM W and R)
        var output = OnnxModel.Load(p.PathOf("out/vad.onnx"));
        var graphs = output.Graph.AllGraphsRecursive().ToList();
        Assert.DoesNotContain(output.Graph.AllNodesRecursive(), n => n.OpType == "Constant" && n.Attributes[0].Tensor is { DataType: TensorDataType.Float, ElementCount: > 1024 });
        Assert.Equal(16, graphs.Sum(g => g.Initializers.Values.Count(t => t.DataType == TensorDataType.Int8 && t.Rank == 3)));
        AssertNamesUnique(output);
        using var again = new TestProject();
        again.AddModel("vad.onnx", SileroStyleModel.Build());
        CompressWeightOnly(again, "vad.onnx", allowOutside: false);
        Assert.Equal(File.ReadAllBytes(p.PathOf("out/vad.onnx")), File.ReadAllBytes(again.PathOf("out/vad.onnx")));
        foreach (var rate in new[] { 16000, 8000 })
        {
            var audio = SpeechLikeSignal.Generate(2 * rate, rate, seed: (ulong)rate);
            var chunk = SileroStyleModel.ChunkSamples(rate);
            var reference = VadStream.Run(File.ReadAllBytes(source), audio, rate, chunk);
            var compressed = VadStream.Run(File.ReadAllBytes(p.PathOf("out/vad.onnx")), audio, rate, chunk);
            // The fp32 probability must move with the audio, or a cosine near 1 would say nothing.
            Assert.True(reference.Probabilities.Max() - reference.Probabilities.Min() > 0.1, $"{rate} Hz: fp32 output barely moves");
            Assert.True(VadStream.Cosine(reference.Probabilities, compressed.Probabilities) >= 0.999, $"{rate} Hz probability cosine");
            Assert.True(VadStream.Cosine(reference.FinalState, compressed.FinalState) >= 0.999, $"{rate} Hz state cosine");
        }
    }

    [Fact]
    public void Silero_vad_legacy_weight_only_compresses_its_subgraph_convs_and_lstms_and_keeps_its_output()
    {
        using var p = new TestProject();
        var source = Fixtures.Require("models/silero-vad-legacy.onnx");
        var m = CompressWeightOnly(p, source, allowOutside: true);

        Assert.Equal(52, m.Steps[0].Layers.Count); // 36 Conv + 8 LSTM × (W, R)
        Assert.Equal(16, m.Steps[0].Layers.Count(l => l.Op == "LSTM"));
        Assert.True(m.SizeRatio <= 0.35, $"size ratio {m.SizeRatio:F3}");
        var audio = SpeechLikeSignal.Generate(32000, 16000, seed: 3);
        var reference = VadStream.Run(File.ReadAllBytes(source), audio, 16000, 512);
        var compressed = VadStream.Run(File.ReadAllBytes(p.PathOf("out/vad.onnx")), audio, 16000, 512);
        Assert.True(VadStream.Cosine(reference.Probabilities, compressed.Probabilities) >= 0.999);
        Assert.True(VadStream.Cosine(reference.FinalState, compressed.FinalState) >= 0.99);
    }

    [Theory]
    [InlineData("{ mode: weight_only }", "DequantizeLinear")]
    [InlineData("{ mode: dynamic }", "MatMulInteger")]
    [InlineData("{ weights: int4, block_size: 32 }", "DequantizeLinear")]
    public void Loop_body_matmuls_are_compressed_in_place_and_pass_the_gate(string quantize, string op)
    {
        using var p = new TestProject();
        p.AddModel("loop.onnx", SubgraphModels.LoopMatMul());
        p.AddRandomData("verify.npz", 3, ("x", [16, 32]));
        p.WriteRecipe($"""
            version: 1
            models:
              - name: loop
                source: loop.onnx
                steps:
                  - quantize: {quantize}
                verify:
                  data: verify.npz
                  thresholds:
                    - {"{"} metric: cosine, min: 0.99 {"}"}
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var m = result.Report.Models.Single();
        Assert.Equal(2, m.Steps[0].Layers.Count);
        Assert.True(m.Verification!.Passed);
        if (quantize.Contains("weight_only", StringComparison.Ordinal))
        {
            // The per-layer table lists int8 layers inside the Loop body with why they are not simulated.
            Assert.Equal(2, m.Verification.Layers!.Count(l => l.Name.StartsWith("body/fc", StringComparison.Ordinal) && l.Note!.Contains("subgraph", StringComparison.Ordinal)));
        }

        var output = OnnxModel.Load(p.PathOf("out/loop.onnx"));
        var body = output.Graph.Nodes.Single(n => n.OpType == "Loop").Subgraphs.Single();
        Assert.Contains(body.AllNodesRecursive(), n => n.OpType == op && n.Name.StartsWith("body/fc", StringComparison.Ordinal));
        Assert.DoesNotContain(output.Graph.AllGraphsRecursive().SelectMany(g => g.Initializers.Values), t => t.DataType == TensorDataType.Float && t.ElementCount == 32 * 32);
        AssertNamesUnique(output);
    }

    [Fact]
    public void Scan_body_matmul_and_gru_and_rnn_weights_are_int8_and_the_model_keeps_its_output()
    {
        using var p = new TestProject();
        var source = p.AddModel("rec.onnx", SubgraphModels.ScanGruRnn());
        p.WriteRecipe("""
            version: 1
            models:
              - name: rec
                source: rec.onnx
                steps:
                  - quantize: { mode: weight_only }
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        Assert.Equal(["main/GRU:R", "main/GRU:W", "main/RNN:R", "main/RNN:W", "scan/MatMul"],
            result.Report.Models.Single().Steps[0].Layers.Select(l => l.Name).Order(StringComparer.Ordinal));
        var output = OnnxModel.Load(p.PathOf("out/rec.onnx"));
        foreach (var op in new[] { "GRU", "RNN" })
        {
            var node = output.Graph.Nodes.Single(n => n.OpType == op);
            Assert.All(node.Inputs.Skip(1).Take(2), w => Assert.Equal("DequantizeLinear", output.Graph.GetProducer(w)?.OpType));
        }

        var x = OrtInput.Float("x", new DeterministicRandom(5).Uniform(6 * 16, 1f), 6, 16);
        var reference = OrtRun.Run(File.ReadAllBytes(source), x).Single(o => o.Name == "y").Floats;
        var compressed = OrtRun.Run(File.ReadAllBytes(p.PathOf("out/rec.onnx")), x).Single(o => o.Name == "y").Floats;
        Assert.True(VadStream.Cosine(reference, compressed) >= 0.999, $"cosine {VadStream.Cosine(reference, compressed)}");
        AssertNamesUnique(output);
    }

    [Theory]
    [InlineData("- quantize: { mode: static }")]
    [InlineData("- smoothquant: { alpha: 0.5 }\n      - quantize: { mode: static }")]
    public void Steps_that_need_calibration_leave_subgraph_layers_float_with_mc3350(string steps)
    {
        using var p = new TestProject();
        p.AddModel("loop.onnx", SubgraphModels.LoopMatMul());
        p.AddRandomData("calib.npz", 4, ("x", [8, 32]));
        p.WriteRecipe($"""
            version: 1
            models:
              - name: loop
                source: loop.onnx
                calibration: {"{"} data: calib.npz, samples: 8 {"}"}
                steps:
                  {steps}
            """);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var warnings = sink.Items.Where(d => d.Code == "MC3350").ToList();
        Assert.Equal(result.Report.Models.Single().Steps.Count, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(DiagnosticSeverity.Warning, w.Severity));
        Assert.All(result.Report.Models.Single().Steps, s => Assert.Empty(s.Layers));
    }

    private static Reports.ModelReport CompressWeightOnly(TestProject p, string source, bool allowOutside)
    {
        p.WriteRecipe($"""
            version: 1
            allow_outside: {(allowOutside ? "true" : "false")}
            models:
              - name: vad
                source: {source}
                steps:
                  - quantize: {"{"} mode: weight_only {"}"}
            """);
        var sink = new ListDiagnosticSink();
        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        return result.Report.Models.Single();
    }

    /// <summary>Every value a graph defines (initializers, node outputs) has a name no other graph of the model defines.</summary>
    private static void AssertNamesUnique(OnnxModel model)
    {
        var names = model.Graph.AllGraphsRecursive()
            .SelectMany(g => g.Initializers.Keys.Concat(g.Nodes.SelectMany(n => n.Outputs)).Where(o => o.Length > 0))
            .ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }
}
