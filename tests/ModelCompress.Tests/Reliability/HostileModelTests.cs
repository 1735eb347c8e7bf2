using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// Hostile models and data through the whole engine (load → steps → gate → outputs): each ends in a coded error or a
/// defined result, never an uncoded exception, and a model whose outputs are not finite is never accepted by the gate.
/// </summary>
public sealed class HostileModelTests
{
    private const string Dynamic = "      - quantize: { mode: dynamic }";
    private const string Static = "      - quantize: { mode: static }";

    /// <summary>x [1, 8] → MatMul w [8, 4] → (<paramref name="tail"/>) → y.</summary>
    private static OnnxModel Model(Action<OnnxModelBuilder, string>? tail = null, float[]? weights = null, long irVersion = OnnxModel.DefaultIrVersion, long opset = 17)
    {
        var b = new OnnxModelBuilder("hostile").Opset(opset).IrVersion(irVersion);
        b.Graph.Input("x", TensorDataType.Float, 1, 8);
        var w = b.Graph.Initializer("w", [8, 4], weights ?? [.. Enumerable.Range(0, 32).Select(i => ((i % 7) - 3) / 4f)]);
        var h = b.Graph.Op("MatMul", "x", w);
        if (tail is null)
        {
            b.Graph.Node("Identity", [h], ["y"], "out");
        }
        else
        {
            tail(b, h);
        }

        b.Graph.Output("y", TensorDataType.Float, 1, 4);
        return b.Build();
    }

    private static TestProject Project(OnnxModel model, string steps, float[]? calibration = null)
    {
        var p = new TestProject();
        p.AddModel("m.onnx", model);
        p.AddRandomData("v.npz", 3, ("x", [6, 8]));
        var calib = string.Empty;
        if (calibration is not null)
        {
            NpzArchive.WriteFile(p.PathOf("c.npz"), new Dictionary<string, NdArray>(StringComparer.Ordinal) { ["x"] = NdArray.FromFloats(calibration, calibration.Length / 8, 8) });
            calib = "    calibration: { data: c.npz }\n";
        }

        p.WriteRecipe($"version: 1\nmodels:\n  - name: m\n    source: m.onnx\n{calib}    steps:\n{steps}\n    verify:\n      data: v.npz\n      thresholds:\n        - {{ metric: cosine, min: 0.99 }}\n");
        return p;
    }

    /// <summary>"ok" or the codes of the errors; an uncoded exception fails the test.</summary>
    private static string Outcome(TestProject p)
    {
        var sink = new ListDiagnosticSink();
        try
        {
            var result = ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None);
            if (result.Succeeded)
            {
                var output = OnnxModel.Load(p.PathOf("out/m.onnx"));
                Assert.All(output.Graph.Initializers.Values.Where(t => t.DataType == TensorDataType.Float), t => Assert.All(t.AsSpan<float>().ToArray(), v => Assert.True(float.IsFinite(v))));
                return "ok";
            }
        }
        catch (ModelCompressException e)
        {
            return e.Code;
        }

        return string.Join(' ', sink.Items.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Code).Distinct());
    }

    private static OnnxModel StringWeightModel()
    {
        var b = new OnnxModelBuilder("hostile").Opset(17);
        b.Graph.Input("x", TensorDataType.Float, 1, 8);
        b.Graph.Initializer(OnnxTensor.FromStrings("w", [8, 4], Enumerable.Range(0, 32).Select(i => "w" + i)));
        b.Graph.Node("MatMul", ["x", "w"], ["y"], "mm");
        b.Graph.Output("y", TensorDataType.Float, 1, 4);
        return b.Build();
    }

    private static string RunNanVerify()
    {
        using var p = Project(Model(), Dynamic);
        var values = Enumerable.Range(0, 48).Select(i => i == 3 ? float.NaN : (i % 5) / 5f).ToArray();
        NpzArchive.WriteFile(p.PathOf("v.npz"), new Dictionary<string, NdArray>(StringComparer.Ordinal) { ["x"] = NdArray.FromFloats(values, 6, 8) });
        return Outcome(p);
    }

    private static readonly float[] NanWeights = [.. Enumerable.Range(0, 32).Select(i => i == 5 ? float.NaN : 0.25f)];
    private static readonly float[] InfWeights = [.. Enumerable.Range(0, 32).Select(i => i == 5 ? float.PositiveInfinity : 0.25f)];
    private static readonly float[] NanCalibration = [.. Enumerable.Range(0, 64).Select(i => i == 9 ? float.NaN : (i % 5) / 5f)];
    private static readonly float[] InfCalibration = [.. Enumerable.Range(0, 64).Select(i => i == 9 ? float.NegativeInfinity : (i % 5) / 5f)];

    private static readonly Dictionary<string, Func<string>> Cases = new(StringComparer.Ordinal)
    {
        // ONNX Runtime is the authority on what it can run: the verification session refuses these, coded.
        ["ir_version_99"] = () => Run(Model(irVersion: 99), Dynamic),
        ["opset_99"] = () => Run(Model(opset: 99), Dynamic),
        ["unknown_op"] = () => Run(Model((b, h) => b.Graph.Node("FrobnicateX", [h], ["y"], "f")), Dynamic),
        ["unknown_domain"] = () => Run(Model((b, h) => { b.Opset("com.evil", 1); b.Graph.Node("Thing", [h], ["y"], "t", "com.evil"); }), Dynamic),
        ["string_weight"] = () => Run(StringWeightModel(), Dynamic),
        ["nan_weight_dynamic"] = () => Run(Model(weights: NanWeights), Dynamic),
        ["inf_weight_dynamic"] = () => Run(Model(weights: InfWeights), Dynamic),
        ["nan_weight_weight_only"] = () => Run(Model(weights: NanWeights), "      - quantize: { mode: weight_only }"),
        ["nan_calibration_static"] = () => Run(Model(), Static, NanCalibration),
        ["inf_calibration_smoothquant"] = () => Run(Model(), "      - smoothquant: { alpha: 0.5 }\n" + Static, InfCalibration),
        ["nan_verification_data"] = RunNanVerify,
    };

    public static TheoryData<string, string> Expected() => new()
    {
        { "ir_version_99", "MC5004" },
        { "opset_99", "MC5004" },
        { "unknown_op", "MC5004" },
        { "unknown_domain", "MC5004" },
        { "string_weight", "MC5004" },
        { "nan_weight_dynamic", "MC3450" },
        { "inf_weight_dynamic", "MC3450" },
        { "nan_weight_weight_only", "MC3450" },
        { "nan_calibration_static", "MC3451" },
        { "inf_calibration_smoothquant", "MC3451" },
        { "nan_verification_data", "MC5001" },
    };

    private static string Run(OnnxModel model, string steps, float[]? calibration = null)
    {
        using var p = Project(model, steps, calibration);
        return Outcome(p);
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void A_hostile_model_or_data_set_ends_in_its_coded_error(string name, string code)
    {
        Assert.Equal(code, Cases[name]());
    }

    [Fact]
    public void The_non_finite_weight_error_names_the_layer_tensor_and_element_at_the_step_line()
    {
        using var p = Project(Model(weights: NanWeights), Dynamic);
        var sink = new ListDiagnosticSink();

        var e = Assert.Throws<ModelCompressException>(() => ModelCompressEngine.Compress(p.LoadRecipe(), new CompressOptions(p.PathOf("out")), sink, CancellationToken.None));

        Assert.Equal("MC3450", e.Code);
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
        Assert.Contains("NaN at element 5", e.Message, StringComparison.Ordinal);
        Assert.Equal(6, e.Diagnostic.Line);
        Assert.False(File.Exists(p.PathOf("out/m.onnx")));
    }
}
