using ModelCompress.Calibration;
using ModelCompress.Onnx;

namespace ModelCompress.Tests.Quantization;

/// <summary>Small models and data for the analysis, calibration and quantization tests.</summary>
internal static class QuantTestModels
{
    /// <summary>
    /// x [batch, seq, d] → LayerNormalization → three separate MatMuls (q, k, v) + biases → Add(q, k) + v → y;
    /// and x → RMSNorm (x·x → ReduceMean → Add ε → Sqrt → Reciprocal → Mul x → Mul γ) → gate and up MatMuls →
    /// Sigmoid(gate)·gate·up → down MatMul → z. Channel 3 of x is an outlier (×<paramref name="outlier"/>), as
    /// LLM activations have.
    /// </summary>
    public static OnnxModel SharedInputs(int d = 32, int hidden = 48, ulong seed = 3)
    {
        var rng = new DeterministicRandom(seed);
        var b = new OnnxModelBuilder("shared").Opset(17);
        var g = b.Graph;
        g.Input("x", TensorDataType.Float, "batch", "seq", d);
        var gamma = g.Initializer("ln.weight", [d], [.. Enumerable.Range(0, d).Select(i => 1f + rng.NextUniform(0.2f))]);
        var beta = g.Initializer("ln.bias", [d], rng.Uniform(d, 0.1f));
        g.Node("LayerNormalization", ["x", gamma, beta], ["ln_out"], "/ln/LayerNormalization").SetAttribute("axis", -1).SetAttribute("epsilon", 1e-5f);
        var q = Linear(g, rng, "q", "ln_out", d, d);
        var k = Linear(g, rng, "k", "ln_out", d, d);
        var v = Linear(g, rng, "v", "ln_out", d, d);
        var qk = g.Op("Add", q, k);
        g.Node("Add", [qk, v], ["y"], "/out/Add");

        var square = g.Op("Mul", "x", "x");
        var mean = g.Op("ReduceMean", [square], n => n.SetAttribute("axes", [-1L]).SetAttribute("keepdims", 1));
        var eps = g.Initializer("rms.eps", [], [1e-5f]);
        var root = g.Op("Sqrt", g.Op("Add", mean, eps));
        var normalized = g.Op("Mul", "x", g.Op("Reciprocal", root));
        var rmsGamma = g.Initializer("rms.weight", [d], [.. Enumerable.Range(0, d).Select(i => 1f + rng.NextUniform(0.2f))]);
        g.Node("Mul", [normalized, rmsGamma], ["rms_out"], "/rms/Mul_gamma");
        var gate = Linear(g, rng, "gate", "rms_out", d, hidden, bias: false);
        var up = Linear(g, rng, "up", "rms_out", d, hidden, bias: false);
        var act = g.Op("Mul", g.Op("Mul", gate, g.Op("Sigmoid", gate)), up);
        var down = Linear(g, rng, "down", act, hidden, d, bias: false);
        g.Node("Identity", [down], ["z"], "/out/Identity");
        g.Output("y", TensorDataType.Float, "batch", "seq", d);
        g.Output("z", TensorDataType.Float, "batch", "seq", d);
        return b.Build();
    }

    /// <summary>Random [1, seq, d] inputs named <paramref name="input"/>, channel 3 scaled by <paramref name="outlier"/>.</summary>
    public static InMemoryCalibrationSource Samples(string input, int count, int seq, int d, float outlier = 8f, ulong seed = 11)
    {
        var rng = new DeterministicRandom(seed);
        var samples = new List<IReadOnlyList<CalibrationInput>>();
        for (var s = 0; s < count; s++)
        {
            var data = new float[seq * d];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = rng.NextNormal(1f) * (i % d == 3 ? outlier : 1f);
            }

            samples.Add([new CalibrationInput(input, [1, seq, d], data)]);
        }

        return new InMemoryCalibrationSource(samples, "random samples");
    }

    /// <summary>Random float samples for a model input of the given shape (batch included).</summary>
    public static InMemoryCalibrationSource Samples(string input, int count, long[] shape, float scale = 1f, ulong seed = 5)
    {
        var rng = new DeterministicRandom(seed);
        var size = (int)shape.Aggregate(1L, (a, b) => a * b);
        var samples = new List<IReadOnlyList<CalibrationInput>>();
        for (var s = 0; s < count; s++)
        {
            samples.Add([new CalibrationInput(input, shape, rng.Uniform(size, scale))]);
        }

        return new InMemoryCalibrationSource(samples, "random samples");
    }

    private static string Linear(OnnxGraphBuilder g, DeterministicRandom rng, string name, string x, int inSize, int outSize, bool bias = true)
    {
        var w = g.Initializer($"{name}.weight", [inSize, outSize], rng.Uniform(inSize * outSize, 1f / MathF.Sqrt(inSize)));
        var mm = g.Op("MatMul", [x, w], null, $"/{name}/MatMul");
        if (!bias)
        {
            return mm;
        }

        var b = g.Initializer($"{name}.bias", [outSize], rng.Uniform(outSize, 0.1f));
        return g.Op("Add", [b, mm], null, $"/{name}/Add");
    }
}
