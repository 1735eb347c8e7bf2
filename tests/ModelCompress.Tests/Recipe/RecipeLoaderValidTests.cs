using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

public sealed class RecipeLoaderValidTests : RecipeTests
{
    [Fact]
    public void Every_step_kind_parses_into_the_expected_model()
    {
        var recipe = Project.LoadValid(Y(
            "version: 1",
            "output: out/compressed",
            "cache: { enabled: false, max_size_mb: 64 }",
            "models:",
            "  - name: encoder",
            "    source: models/m.onnx",
            "    calibration: { data: data/calib.npz, samples: 32, input: pixels, seed: 7 }",
            "    steps:",
            "      - smoothquant: { alpha: auto, alpha_range: [0.2, 0.8], alpha_step: 0.1, combine: max, fold: false }",
            "      - quantize:",
            "          mode: static",
            "          activations: int8",
            "          per_channel: false",
            "          symmetric_weights: false",
            "          method: percentile",
            "          percentile: 99.9",
            "          exclude: [\"/head/MatMul\", \"op:Gemm\", \"re:^/attn/.*\"]",
            "      - prune: { method: wanda, pattern: \"2:4\", exclude: [op:Conv] }",
            "      - distill: { teacher: models/teacher.onnx, epochs: 2, learning_rate: 0.001 }",
            "      - share: { method: lowrank, rank: 8 }",
            "    verify:",
            "      data: data/val.npz",
            "      samples: 500",
            "      labels: data/labels.npy",
            "      severity: warning",
            "      on_regression: fallback",
            "      max_fallback_layers: 3",
            "      per_layer: false",
            "      thresholds:",
            "        - { metric: top1_agreement, min: 0.99 }",
            "        - { metric: accuracy, min: 0.9, max_drop: 0.01 }",
            "        - { metric: cosine, min: 0.995 }",
            "        - { metric: max_abs_error, max: 0.5 }",
            "        - { metric: mean_abs_error, max: 0.01 }",
            "        - { metric: snr_db, min: 30 }"));

        Assert.Equal(1, recipe.Version);
        Assert.Equal(Project.RecipePath, recipe.RecipePath);
        Assert.Equal(Project.Root, recipe.ProjectDirectory);
        Assert.Equal(Project.Full("out/compressed"), recipe.OutputDirectory);
        Assert.False(recipe.AllowOutside);
        Assert.False(recipe.Cache.Enabled);
        Assert.Equal(64, recipe.Cache.MaxSizeMb);

        var m = Assert.Single(recipe.Models);
        Assert.Equal("encoder", m.Name);
        Assert.Equal("encoder.onnx", m.OutputFileName);
        Assert.Equal(Project.Full("models/m.onnx"), m.SourcePath);
        Assert.Equal((5, 5), (m.Location.Line, m.Location.Column));
        Assert.Equal((6, 13), (m.SourcePathLocation.Line, m.SourcePathLocation.Column));

        var cal = m.Calibration!;
        Assert.Equal(Project.Full("data/calib.npz"), cal.Data.Path);
        Assert.Equal(DataFormat.Npz, cal.Data.Format);
        Assert.Equal(TokenizerKind.None, cal.Data.Tokenizer);
        Assert.Null(cal.Data.SeqLen);
        Assert.Equal("pixels", cal.Data.Input);
        Assert.Equal((32, 7), (cal.Samples, cal.Seed));

        Assert.Equal(["smoothquant", "quantize", "prune", "distill", "share"], m.Steps.Select(s => s.Kind));
        var sq = Assert.IsType<SmoothQuantStep>(m.Steps[0]);
        Assert.True(sq.IsAutoAlpha);
        Assert.Equal((0.2, 0.8, 0.1), (sq.AlphaLow, sq.AlphaHigh, sq.AlphaStep));
        Assert.Equal(AlphaCombine.Max, sq.Combine);
        Assert.False(sq.Fold);
        Assert.Equal((9, 9), (sq.Location.Line, sq.Location.Column));

        var q = Assert.IsType<QuantizeStep>(m.Steps[1]);
        Assert.Equal(QuantizeMode.Static, q.Mode);
        Assert.Equal(QuantizeWeightType.Int8, q.Weights);
        Assert.Equal(QuantizeActivationType.Int8, q.Activations);
        Assert.False(q.PerChannel);
        Assert.False(q.SymmetricWeights);
        Assert.Equal(ActivationRangeMethod.Percentile, q.Method);
        Assert.Equal(99.9, q.Percentile);
        Assert.Equal(["name:/head/MatMul", "op:Gemm", "re:^/attn/.*"], q.Exclude.Select(e => e.ToString()));
        Assert.True(q.Exclude[0].Matches("/head/MatMul", "MatMul"));
        Assert.False(q.Exclude[0].Matches("/head/MatMul_1", "MatMul"));
        Assert.True(q.Exclude[1].Matches("anything", "Gemm"));
        Assert.True(q.Exclude[2].Matches("/attn/q/MatMul", "MatMul"));
        Assert.False(q.Exclude[2].Matches("/mlp/attn/MatMul", "MatMul"));
        Assert.Equal((17, 21), (q.Exclude[0].Location.Line, q.Exclude[0].Location.Column));

        var pr = Assert.IsType<PruneStep>(m.Steps[2]);
        Assert.Equal(PruneMethod.Wanda, pr.Method);
        Assert.Equal(new SparsityPattern(2, 4), pr.Pattern);
        Assert.Equal(0.5, pr.Sparsity);
        Assert.True(pr.NeedsCalibration);
        Assert.Equal("op:Conv", Assert.Single(pr.Exclude).ToString());

        var d = Assert.IsType<DistillStep>(m.Steps[3]);
        Assert.Equal(DistillMethod.Layerwise, d.Method);
        Assert.Equal("models/teacher.onnx", d.Teacher);
        Assert.Equal(Project.Full("models/teacher.onnx"), d.TeacherPath);
        Assert.False(d.TeacherIsSource);
        Assert.Equal((2, 0.001), (d.Epochs, d.LearningRate));

        var sh = Assert.IsType<ShareStep>(m.Steps[4]);
        Assert.Equal(ShareMethod.LowRank, sh.Method);
        Assert.Equal(8, sh.Rank);
        Assert.Null(sh.Energy);
        Assert.Null(sh.Clusters);

        var v = m.Verify!;
        Assert.Equal(Project.Full("data/val.npz"), v.Data.Path);
        Assert.Equal("pixels", v.Data.Input); // inherited from calibration
        Assert.Equal(500, v.Samples);
        Assert.Equal(Project.Full("data/labels.npy"), v.LabelsPath);
        Assert.Equal(DiagnosticSeverity.Warning, v.Severity);
        Assert.Equal(RegressionAction.Fallback, v.OnRegression);
        Assert.Equal(3, v.MaxFallbackLayers);
        Assert.False(v.PerLayer);
        Assert.Equal(
            [VerifyMetric.Top1Agreement, VerifyMetric.Accuracy, VerifyMetric.Cosine, VerifyMetric.MaxAbsError, VerifyMetric.MeanAbsError, VerifyMetric.SnrDb],
            v.Thresholds.Select(t => t.Metric));
        var acc = v.Thresholds[1];
        Assert.Equal((0.9, 0.01), (acc.Min, acc.MaxDrop));
        Assert.Null(acc.Max);
        Assert.Equal((31, 11), (acc.Location.Line, acc.Location.Column));
        Assert.Equal(0.5, v.Thresholds[3].Max);
        Assert.Equal(30, v.Thresholds[5].Min);
    }

    [Fact]
    public void Omitted_keys_take_their_documented_defaults()
    {
        var recipe = Project.LoadValid(Y(
            "version: 1",
            "models:",
            "  - name: m",
            "    source: models/m.onnx",
            "    calibration:",
            "      data: data/calib.npy",
            "    steps:",
            "      - smoothquant",
            "      - quantize:",
            "      - prune: { sparsity: 0.25 }",
            "      - distill: {}",
            "      - share: { method: cluster }"));

        Assert.Equal(Project.Full("compressed"), recipe.OutputDirectory);
        Assert.True(recipe.Cache.Enabled);
        Assert.Equal(1024, recipe.Cache.MaxSizeMb);
        var m = recipe.Models[0];
        Assert.Null(m.Verify);
        Assert.Equal((128, 0, DataFormat.Npy), (m.Calibration!.Samples, m.Calibration.Seed, m.Calibration.Data.Format));
        Assert.Null(m.Calibration.Data.Input);

        var sq = (SmoothQuantStep)m.Steps[0];
        Assert.Equal(0.5, sq.Alpha);
        Assert.True(sq.Fold);
        var q = (QuantizeStep)m.Steps[1];
        Assert.Equal(
            (QuantizeMode.Static, QuantizeWeightType.Int8, QuantizeActivationType.UInt8, true, true, ActivationRangeMethod.MinMax, 99.999, 32),
            (q.Mode, q.Weights, q.Activations, q.PerChannel, q.SymmetricWeights, q.Method, q.Percentile, q.BlockSize));
        Assert.Empty(q.Exclude);
        var pr = (PruneStep)m.Steps[2];
        Assert.Equal((PruneMethod.Magnitude, 0.25), (pr.Method, pr.Sparsity));
        Assert.Null(pr.Pattern);
        var d = (DistillStep)m.Steps[3];
        Assert.True(d.TeacherIsSource);
        Assert.Equal(m.SourcePath, d.TeacherPath);
        Assert.Equal((4, 1e-4), (d.Epochs, d.LearningRate));
        var sh = (ShareStep)m.Steps[4];
        Assert.Equal(16, sh.Clusters);
        Assert.Null(sh.Rank);
    }

    [Fact]
    public void A_language_model_recipe_reads_text_data_and_verify_inherits_the_tokenizer()
    {
        var recipe = Project.LoadValid(Y(
            "version: 1",
            "models:",
            "  - name: lm",
            "    source: models/m.onnx",
            "    calibration: { data: data/train.txt, tokenizer: tok512.bin, seq_len: 64, samples: 16 }",
            "    steps:",
            "      - quantize: { mode: weight_only, weights: int4, block_size: 64 }",
            "    verify:",
            "      data: data/valid.txt",
            "      thresholds:",
            "        - { metric: perplexity, max_increase: 0.03 }",
            "        - { metric: perplexity, max: 4.0 }"));

        var m = recipe.Models[0];
        Assert.Equal(DataFormat.Text, m.Calibration!.Data.Format);
        Assert.Equal(TokenizerKind.Llama2C, m.Calibration.Data.Tokenizer);
        Assert.Equal(Project.Full("tok512.bin"), m.Calibration.Data.TokenizerPath);
        Assert.Equal(64, m.Calibration.Data.SeqLen);
        var v = m.Verify!;
        Assert.Equal((DataFormat.Text, TokenizerKind.Llama2C, 64), (v.Data.Format, v.Data.Tokenizer, v.Data.SeqLen));
        Assert.Null(v.Samples);
        Assert.Equal(0.03, v.Thresholds[0].MaxIncrease);
        Assert.Equal(4.0, v.Thresholds[1].Max);
        var q = (QuantizeStep)m.Steps[0];
        Assert.Equal((QuantizeMode.WeightOnly, QuantizeWeightType.Int4, 64), (q.Mode, q.Weights, q.BlockSize));
    }

    [Fact]
    public void Byte_level_text_gets_the_default_window_and_mnist_idx_is_inferred()
    {
        var recipe = Project.LoadValid(Y(
            "version: 1",
            "models:",
            "  - name: lm",
            "    source: models/m.onnx",
            "    calibration: { data: data/train.txt, tokenizer: bytes }",
            "    steps: [ { quantize: { mode: dynamic } } ]",
            "  - name: mnist",
            "    source: models/other.onnx",
            "    calibration: { data: data/t10k-images-idx3-ubyte.gz }",
            "    steps: [ quantize ]",
            "    verify:",
            "      data: data/t10k-images-idx3-ubyte.gz",
            "      labels: data/t10k-labels-idx1-ubyte.gz",
            "      thresholds: [ { metric: accuracy, max_drop: 0.005 } ]"));

        var lm = recipe.Models[0].Calibration!.Data;
        Assert.Equal((TokenizerKind.Bytes, (int?)DataSource.DefaultSeqLen), (lm.Tokenizer, lm.SeqLen));
        Assert.Null(lm.TokenizerPath);
        Assert.Equal(DataFormat.MnistIdx, recipe.Models[1].Calibration!.Data.Format);
        Assert.Equal(DataFormat.MnistIdx, recipe.Models[1].Verify!.Data.Format);
        Assert.Same(recipe.Models[1], recipe.FindModel("MNIST"));
    }

    [Fact]
    public void Quoted_numbers_and_explicit_format_are_accepted()
    {
        var recipe = Project.LoadValid(Y(
            "version: '1'",
            "models:",
            "  - name: \"m-1.v2\"",
            "    source: 'models/m.onnx'",
            "    calibration: { data: data/calib.bin, format: npy, samples: \"64\" }",
            "    steps:",
            "      - smoothquant: { alpha: \"0.75\" }",
            "      - quantize: { mode: dynamic, activations: uint8 }"));

        var m = recipe.Models[0];
        Assert.Equal("m-1.v2", m.Name);
        Assert.Equal((DataFormat.Npy, 64), (m.Calibration!.Data.Format, m.Calibration.Samples));
        Assert.Equal(0.75, ((SmoothQuantStep)m.Steps[0]).Alpha);
    }

    [Fact]
    public void Load_reads_the_real_mnist_fixtures_from_outside_the_project_when_allowed()
    {
        var model = Fixtures.Require("models/mnist-8.onnx");
        var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
        var labels = Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz");
        File.WriteAllText(Project.RecipePath, Y(
            "version: 1",
            "allow_outside: true",
            "models:",
            "  - name: mnist",
            $"    source: '{model}'",
            $"    calibration: {{ data: '{images}', samples: 64 }}",
            "    steps: [ smoothquant, quantize ]",
            "    verify:",
            $"      data: '{images}'",
            $"      labels: '{labels}'",
            "      thresholds: [ { metric: accuracy, max_drop: 0.01 }, { metric: top1_agreement, min: 0.99 } ]"));

        var sink = new ListDiagnosticSink();
        var recipe = RecipeLoader.Load(Project.RecipePath, RecipeLoadOptions.Default, sink);

        Assert.Empty(sink.Items);
        var m = Assert.Single(recipe!.Models);
        Assert.Equal(Path.GetFullPath(model), m.SourcePath);
        Assert.Equal(DataFormat.MnistIdx, m.Calibration!.Data.Format);
        Assert.Equal(Path.GetFullPath(labels), m.Verify!.LabelsPath);
    }
}
