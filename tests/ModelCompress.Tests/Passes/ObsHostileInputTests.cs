using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Quantization;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// Hostile inputs to GPTQ and SparseGPT: calibration that is all zeros (H = 0) falls back to RTN/magnitude with a
/// coded warning naming the layer; a singular H (fewer rows than inputs, duplicated channels) is made usable by
/// damping; a non-finite H is refused; the weights written are never NaN.
/// </summary>
public sealed class ObsHostileInputTests
{
    private static TestProject ZeroCalibrationMlp(string step)
    {
        var p = TestProject.Mlp(steps: step, thresholds: "        - { metric: cosine, min: 0.5 }");
        NpzArchive.WriteFile(p.PathOf("data/calib.npz"), new Dictionary<string, NdArray> { ["input"] = NdArray.FromFloats(new float[8 * 64], 8, 64) });
        var recipe = File.ReadAllText(p.PathOf("compression.yaml"))
            .Replace("    steps:", "    calibration: { data: data/calib.npz, samples: 8 }\n    steps:", StringComparison.Ordinal);
        p.WriteRecipe(recipe);
        return p;
    }

    [Theory]
    [InlineData("      - quantize: { weights: int4, algorithm: gptq, block_size: 32 }", "MC3202")]
    [InlineData("      - prune: { method: sparsegpt, sparsity: 0.5 }", "MC4040")]
    public void All_zero_calibration_falls_back_with_a_warning_naming_the_layer_and_writes_finite_weights(string step, string code)
    {
        using var p = ZeroCalibrationMlp(step);
        var sink = new ListDiagnosticSink();

        var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        // Only the first layer reads the zero input; later ones see relu(bias) — some channels dead, none NaN.
        var warning = Assert.Single(sink.Items, d => d.Code == code);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("'/fc1/MatMul'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("every input channel was zero", warning.Message, StringComparison.Ordinal);
        var output = OnnxModel.Load(p.PathOf("out/mlp.onnx"));
        Assert.All(output.Graph.Initializers.Values.Where(t => t.DataType == TensorDataType.Float), t => Assert.All(t.ToFloatArray(), v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void A_singular_hessian_is_made_usable_by_damping_and_a_non_finite_one_is_refused()
    {
        const int k = 32;
        // Two rows for 32 inputs, and channel 1 a copy of channel 0: rank 2, singular without damping.
        var x = new DeterministicRandom(1).Uniform(2 * k, 1f);
        x[1] = x[0];
        x[k + 1] = x[k];
        var h = new InputHessian(k);
        h.Add(x);
        var matrix = h.Matrix();

        Assert.True(InverseHessianFactor.TryCreate(matrix, k, 0.01, out var factor, out _));
        Assert.All(factor.Upper, v => Assert.True(double.IsFinite(v)));
        var w = new DeterministicRandom(2).Uniform(4 * k, 1f).Select(v => (double)v).ToArray();
        var q = Int4Quantizer.Quantize(w, 4, k, 16, true, factor);
        Assert.All(Enumerable.Range(0, 4 * k), i => Assert.True(float.IsFinite(q.Value(i / k, i % k))));
        var pruned = (double[])w.Clone();
        SparseGptPruner.Prune(pruned, 4, k, 0.5, 16, 0, 0, factor);
        Assert.All(pruned, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(4 * k / 2, pruned.Count(v => v == 0));

        matrix[5] = double.NaN;
        matrix[(5 * k) + 5] = double.PositiveInfinity;
        Assert.False(InverseHessianFactor.TryCreate(matrix, k, 0.01, out _, out var reason));
        Assert.Contains("H[5,5]", reason, StringComparison.Ordinal);
        Assert.False(InverseHessianFactor.TryCreate(new double[k * k], k, 0.01, out _, out var zero));
        Assert.Contains("every input channel was zero", zero, StringComparison.Ordinal);
    }
}
