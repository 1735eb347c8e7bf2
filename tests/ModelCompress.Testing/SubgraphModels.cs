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

    /// <summary>Random inputs for <see cref="LoopMatMul"/>.</summary>
    public static OrtInput LoopInput(int width = 32, ulong seed = 11) =>
        OrtInput.Float("x", new DeterministicRandom(seed).Uniform(2 * width, 1f), 2, width);

    private static string Constant(OnnxGraph g, string name, OnnxTensor value)
    {
        g.AddNode(new OnnxNode("Constant", [], [name], name + "/Constant")).SetAttribute("value", value.WithName(name));
        return name;
    }
}
