using ModelCompress.Onnx;

namespace ModelCompress.Testing;

/// <summary>Small models whose linear layers live inside Loop and Scan bodies, for the subgraph paths of the passes.</summary>
public static class SubgraphModels
{
    /// <summary>
    /// <c>h = x; repeat 3 times: h = Tanh(MatMul(h, W1) + b) ; h = MatMul(h, W2)</c> as a Loop. W1 is an initializer
    /// of the main graph reached through a main-graph Reshape (an outer-scope constant behind a layout op), W2 and b
    /// are Constant nodes inside the body. Input <c>x</c> [batch, <paramref name="width"/>], output <c>y</c> [batch, width].
    /// </summary>
    public static OnnxModel LoopMatMul(int width = 32, ulong seed = 7)
    {
        var rng = new DeterministicRandom(seed);
        var m = new OnnxModelBuilder("loop_matmul").Opset(17);
        var g = m.Graph;
        g.Input("x", TensorDataType.Float, "batch", width);
        var flat = g.Initializer("w1_flat", [width * width], rng.Uniform(width * width, 1.5f / MathF.Sqrt(width)));
        var shape = g.InitializerInt64("w1_shape", [2], [width, width]);
        g.Node("Reshape", [flat, shape], ["w1"], "main/w1/Reshape");
        var trips = g.InitializerInt64("trips", [], [3]);
        g.Initializer(OnnxTensor.FromBools("keep_going", [], [true]));

        var body = new OnnxGraphBuilder("loop_body");
        body.Input("iteration", TensorDataType.Int64).Input("cond_in", TensorDataType.Bool).Input("h", TensorDataType.Float, "batch", width);
        var bias = Constant(body.Graph, "body/b", OnnxTensor.FromFloats("v", [width], rng.Uniform(width, 0.1f)));
        var w2 = Constant(body.Graph, "body/w2", OnnxTensor.FromFloats("v", [width, width], rng.Uniform(width * width, 1.5f / MathF.Sqrt(width))));
        var first = body.Op("MatMul", ["h", "w1"], null, "body/fc1/MatMul");
        var act = body.Op("Tanh", [body.Op("Add", [first, bias], null, "body/fc1/Add")], null, "body/Tanh");
        body.Node("MatMul", [act, w2], ["body/h_next"], "body/fc2/MatMul");
        body.Node("Identity", ["cond_in"], ["body/cond_out"], "body/cond");
        body.Output("body/cond_out", TensorDataType.Bool).Output("body/h_next", TensorDataType.Float, "batch", width);

        g.Node("Loop", [trips, "keep_going", "x"], ["y"], "main/Loop").SetAttribute("body", body.Build());
        g.Output("y", TensorDataType.Float, "batch", width);
        return m.Build();
    }

    /// <summary>
    /// A Scan over <c>x</c> [<paramref name="steps"/>, <paramref name="width"/>]: <c>s = Tanh(MatMul(x_t, W) + s)</c>
    /// with W a Constant node inside the body, then a GRU (hidden 24) and an RNN (hidden 16) over the scanned
    /// outputs with their W and R as main-graph initializers. Output <c>y</c> is the RNN's last hidden state [1, 1, 16].
    /// </summary>
    public static OnnxModel ScanGruRnn(int steps = 6, int width = 16, ulong seed = 9)
    {
        var rng = new DeterministicRandom(seed);
        var m = new OnnxModelBuilder("scan_gru_rnn").Opset(17);
        var g = m.Graph;
        g.Input("x", TensorDataType.Float, steps, width);
        g.Initializer("s0", [width], new float[width]);

        var body = new OnnxGraphBuilder("scan_body");
        body.Input("s", TensorDataType.Float, width).Input("x_t", TensorDataType.Float, width);
        var w = Constant(body.Graph, "scan/w", OnnxTensor.FromFloats("v", [width, width], rng.Uniform(width * width, 1.5f / MathF.Sqrt(width))));
        var row = body.Op("Unsqueeze", ["x_t", Constant(body.Graph, "scan/axes", OnnxTensor.FromInt64("v", [1], [0]))], null, "scan/Unsqueeze");
        var product = body.Op("MatMul", [row, w], null, "scan/MatMul");
        var flat = body.Op("Squeeze", [product, "scan/axes"], null, "scan/Squeeze");
        body.Node("Tanh", [body.Op("Add", [flat, "s"], null, "scan/Add")], ["scan/s_next"], "scan/Tanh");
        body.Node("Identity", ["scan/s_next"], ["scan/y_t"], "scan/Out");
        body.Output("scan/s_next", TensorDataType.Float, width).Output("scan/y_t", TensorDataType.Float, width);
        g.Node("Scan", ["s0", "x"], ["s_last", "ys"], "main/Scan").SetAttribute("num_scan_inputs", 1L).SetAttribute("body", body.Build());

        var seq = g.Op("Reshape", ["ys", g.InitializerInt64("seq_shape", [3], [steps, 1, width])], null, "main/ToSequence");
        const int gru = 24;
        g.Initializer("gru_W", [1, 3 * gru, width], rng.Uniform(3 * gru * width, 1f / MathF.Sqrt(gru)));
        g.Initializer("gru_R", [1, 3 * gru, gru], rng.Uniform(3 * gru * gru, 1f / MathF.Sqrt(gru)));
        g.Node("GRU", [seq, "gru_W", "gru_R"], ["gru_Y"], "main/GRU").SetAttribute("hidden_size", (long)gru);
        var gruOut = g.Op("Reshape", ["gru_Y", g.InitializerInt64("gru_shape", [3], [steps, 1, gru])], null, "main/GruOut");
        const int rnn = 16;
        g.Initializer("rnn_W", [1, rnn, gru], rng.Uniform(rnn * gru, 1f / MathF.Sqrt(rnn)));
        g.Initializer("rnn_R", [1, rnn, rnn], rng.Uniform(rnn * rnn, 1f / MathF.Sqrt(rnn)));
        g.Node("RNN", [gruOut, "rnn_W", "rnn_R"], [string.Empty, "y"], "main/RNN").SetAttribute("hidden_size", (long)rnn);
        g.Output("y", TensorDataType.Float, 1, 1, rnn);
        return m.Build();
    }

    /// <summary>Random inputs for <see cref="LoopMatMul"/>.</summary>
    public static OrtInput LoopInput(int width = 32, ulong seed = 11) =>
        OrtInput.Float("x", new DeterministicRandom(seed).Uniform(2 * width, 1f), 2, width);

    private static string Constant(OnnxGraph g, string name, OnnxTensor value)
    {
        g.AddNode(new OnnxNode("Constant", [], [name], name + "/Constant")).SetAttribute("value", value.WithName(name));
        return name;
    }
}
