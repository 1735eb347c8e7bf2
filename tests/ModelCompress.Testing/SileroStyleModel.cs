using ModelCompress.Onnx;

namespace ModelCompress.Testing;

/// <summary>
/// A voice-activity model laid out like the current Silero VAD release as exported by spox: the main graph holds no
/// weights, only <c>If(sr == 16000)</c> whose two branches each hold their own network with every weight in a
/// Constant node — an STFT as a strided Conv with a windowed DFT basis, its magnitude, four Conv+Relu encoder layers,
/// an LSTM step on the pooled features that carries the state, and a 1×1 Conv + Sigmoid head. Inputs:
/// <c>input</c> [1, 512] (16 kHz) or [1, 256] (8 kHz), <c>state</c> [2, 1, 128] (h and c), <c>sr</c> int64 scalar;
/// outputs <c>output</c> [1, 1] (speech probability) and <c>stateN</c> [2, 1, 128]. Weights are seeded uniform draws
/// (PyTorch's default ranges ±1/√fan_in, widened where said below so that the untrained model's output follows its
/// input), so the model is untrained but its layers have realistic scales and its output moves with the audio.
/// </summary>
public static class SileroStyleModel
{
    /// <summary>Hidden size of the LSTM (and half the state).</summary>
    public const int Hidden = 128;

    // Log power is about −7 in silence and +6 in loud speech; the normalization maps that span to about [−1, 1].
    private const float LogPowerCentre = -0.5f;
    private const float LogPowerHalfRange = 6.5f;

    // Encoder kernels are He-uniform (±√(6 / fan_in)), which keeps the activations' scale through Relu layers; with
    // PyTorch's default range they shrink about √6 times a layer and the LSTM would see nearly constant features.
    private static readonly float EncoderGain = MathF.Sqrt(6f);

    // The LSTM's input weights are drawn wider than the default too, so the features move its gates.
    private const float InputGain = 3f;

    // The head's weights are drawn this many times wider than PyTorch's default, so that the untrained model's
    // probability moves over much of (0, 1) between speech and silence instead of staying near 0.5.
    private const float HeadGain = 8f;

    /// <summary>The chunk length at <paramref name="sampleRate"/> (16000 → 512, 8000 → 256), as Silero VAD takes it.</summary>
    public static int ChunkSamples(int sampleRate) => sampleRate == 16000 ? 512 : 256;

    /// <summary>Builds the model (opset 17, IR 8).</summary>
    public static OnnxModel Build(ulong seed = 2024)
    {
        var m = new OnnxModelBuilder("silero_style").Opset(17).Producer("spox-style builder");
        var g = m.Graph;
        g.Input("input", TensorDataType.Float, 1, "samples")
            .Input("state", TensorDataType.Float, 2, 1, Hidden)
            .Input("sr", TensorDataType.Int64);
        var rate = Constant(g.Graph, "main/sr16k", OnnxTensor.FromInt64("v", [], [16000]));
        var is16k = g.Op("Equal", ["sr", rate], null, "main/Equal");
        var node = g.Node("If", [is16k], ["output", "stateN"], "main/If");
        node.SetAttribute("then_branch", Branch("b16k", 256, 128, seed));
        node.SetAttribute("else_branch", Branch("b8k", 128, 64, seed + 1));
        g.Output("output", TensorDataType.Float, 1, 1).Output("stateN", TensorDataType.Float, 2, 1, Hidden);
        return m.Build();
    }

    /// <summary>One branch: reads <c>input</c> and <c>state</c> from the main graph, returns (probability, new state).</summary>
    private static OnnxGraph Branch(string p, int window, int hop, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        var b = new OnnxGraphBuilder(p);
        var g = b.Graph;
        var bins = (window / 2) + 1;

        // [1, N] → [1, 1, N], then the STFT as Conv with a Hann-windowed DFT basis: channels [0, bins) real, [bins, 2·bins) imaginary.
        var axes1 = Constant(g, p + "/axes1", OnnxTensor.FromInt64("v", [1], [1]));
        var x = b.Op("Unsqueeze", ["input", axes1], null, p + "/Unsqueeze");
        var basis = Constant(g, p + "/stft/forward_basis", OnnxTensor.FromFloats("v", [2 * bins, 1, window], DftBasis(window, bins)));
        var spec = b.Op("Conv", [x, basis], n => n.SetAttribute("strides", new long[] { hop }), p + "/stft/Conv");
        var starts = Constant(g, p + "/re_start", OnnxTensor.FromInt64("v", [1], [0]));
        var mid = Constant(g, p + "/re_end", OnnxTensor.FromInt64("v", [1], [bins]));
        var end = Constant(g, p + "/im_end", OnnxTensor.FromInt64("v", [1], [2 * bins]));
        var re = b.Op("Slice", [spec, starts, mid, axes1], null, p + "/stft/SliceRe");
        var im = b.Op("Slice", [spec, mid, end, axes1], null, p + "/stft/SliceIm");
        var power = b.Op("Add", [b.Op("Mul", [re, re], null, p + "/stft/MulRe"), b.Op("Mul", [im, im], null, p + "/stft/MulIm")], null, p + "/stft/Add");
        var eps = Constant(g, p + "/eps", OnnxTensor.FromFloats("v", [], [1e-6f]));
        var log = b.Op("Log", [b.Op("Add", [power, eps], null, p + "/stft/AddEps")], null, p + "/stft/Log");

        // A fixed normalization of the log power (about −7 in silence, +6 in loud speech) to roughly [−1, 1], as
        // Silero's adaptive normalization does per chunk: unnormalized, the encoder saturates the LSTM's gates.
        var shift = Constant(g, p + "/norm/shift", OnnxTensor.FromFloats("v", [], [LogPowerCentre]));
        var scale = Constant(g, p + "/norm/scale", OnnxTensor.FromFloats("v", [], [1f / LogPowerHalfRange]));
        var h = b.Op("Mul", [b.Op("Sub", [log, shift], null, p + "/norm/Sub"), scale], null, p + "/norm/Mul");

        // Encoder: Conv(k=3, pad 1) + Relu, channel widths and strides as in Silero VAD v5.
        (int Out, int Stride)[] encoder = [(128, 1), (64, 2), (64, 2), (128, 1)];
        var channels = bins;
        for (var i = 0; i < encoder.Length; i++)
        {
            var (outCh, stride) = encoder[i];
            var w = Constant(g, $"{p}/encoder.{i}/weight", Uniform(rng, [outCh, channels, 3], channels * 3, EncoderGain));
            var bias = Constant(g, $"{p}/encoder.{i}/bias", Uniform(rng, [outCh], channels * 3));
            var conv = b.Op("Conv", [h, w, bias], n => n.SetAttribute("pads", new long[] { 1, 1 }).SetAttribute("strides", new long[] { stride }),
                $"{p}/encoder.{i}/Conv");
            h = b.Op("Relu", [conv], null, $"{p}/encoder.{i}/Relu");
            channels = outCh;
        }

        // Decoder: the time-pooled features [1, 128, 1] → [1, 1, 128] as one LSTM step; state = [h; c].
        var pooled = b.Op("ReduceMean", [h], n => n.SetAttribute("axes", new long[] { 2 }).SetAttribute("keepdims", 1L), p + "/decoder/ReduceMean");
        var step = b.Op("Transpose", [pooled], n => n.SetAttribute("perm", new long[] { 2, 0, 1 }), p + "/decoder/Transpose");
        var w4 = Constant(g, p + "/decoder/lstm/W", Uniform(rng, [1, 4 * Hidden, channels], Hidden, InputGain));
        var r4 = Constant(g, p + "/decoder/lstm/R", Uniform(rng, [1, 4 * Hidden, Hidden], Hidden));
        var b8 = Constant(g, p + "/decoder/lstm/B", Uniform(rng, [1, 8 * Hidden], Hidden));
        var zero = Constant(g, p + "/state_h0", OnnxTensor.FromInt64("v", [1], [0]));
        var one = Constant(g, p + "/state_h1", OnnxTensor.FromInt64("v", [1], [1]));
        var two = Constant(g, p + "/state_c1", OnnxTensor.FromInt64("v", [1], [2]));
        var axes0 = Constant(g, p + "/axes0", OnnxTensor.FromInt64("v", [1], [0]));
        var h0 = b.Op("Slice", ["state", zero, one, axes0], null, p + "/decoder/SliceH");
        var c0 = b.Op("Slice", ["state", one, two, axes0], null, p + "/decoder/SliceC");
        var yh = p + "/decoder/lstm/Y_h";
        var yc = p + "/decoder/lstm/Y_c";
        b.Node("LSTM", [step, w4, r4, b8, string.Empty, h0, c0], [string.Empty, yh, yc], p + "/decoder/lstm/LSTM").SetAttribute("hidden_size", (long)Hidden);
        var newState = b.Op("Concat", [yh, yc], n => n.SetAttribute("axis", 0L), p + "/decoder/Concat");

        // Head: Relu → [1, 128, 1] → 1×1 Conv → Sigmoid → [1, 1].
        var perm = b.Op("Transpose", [b.Op("Relu", [yh], null, p + "/decoder/Relu")], n => n.SetAttribute("perm", new long[] { 1, 2, 0 }), p + "/decoder/ToChannels");
        var headW = Constant(g, p + "/decoder/head/weight", Uniform(rng, [1, Hidden, 1], Hidden, HeadGain));
        var headB = Constant(g, p + "/decoder/head/bias", Uniform(rng, [1], Hidden));
        var logit = b.Op("Conv", [perm, headW, headB], null, p + "/decoder/head/Conv");
        var shape = Constant(g, p + "/out_shape", OnnxTensor.FromInt64("v", [2], [1, 1]));
        var prob = b.Op("Reshape", [b.Op("Sigmoid", [logit], null, p + "/decoder/Sigmoid"), shape], null, p + "/decoder/Reshape");
        b.Node("Identity", [prob], [p + "/output"], p + "/IdentityOut");
        b.Node("Identity", [newState], [p + "/stateN"], p + "/IdentityState");
        b.Output(p + "/output", TensorDataType.Float, 1, 1).Output(p + "/stateN", TensorDataType.Float, 2, 1, Hidden);
        return b.Build();
    }

    private static string Constant(OnnxGraph g, string name, OnnxTensor value)
    {
        g.AddNode(new OnnxNode("Constant", [], [name], name + "/Constant")).SetAttribute("value", value.WithName(name));
        return name;
    }

    private static OnnxTensor Uniform(DeterministicRandom rng, long[] dims, int fanIn, float gain = 1f)
    {
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        return OnnxTensor.FromFloats("v", dims, rng.Uniform(count, gain / MathF.Sqrt(fanIn)));
    }

    /// <summary>Rows k &lt; bins: w[n]·cos(2πkn/N); rows bins + k: −w[n]·sin(2πkn/N), with w the periodic Hann window.</summary>
    private static float[] DftBasis(int window, int bins)
    {
        var basis = new float[2 * bins * window];
        for (var k = 0; k < bins; k++)
        {
            for (var n = 0; n < window; n++)
            {
                var w = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / window));
                var angle = 2 * Math.PI * k * n / window;
                basis[(k * window) + n] = (float)(w * Math.Cos(angle));
                basis[((bins + k) * window) + n] = (float)(-w * Math.Sin(angle));
            }
        }

        return basis;
    }
}
