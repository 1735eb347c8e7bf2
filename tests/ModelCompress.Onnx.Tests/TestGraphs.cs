using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

/// <summary>Small graphs built in code for edit tests.</summary>
internal static class TestGraphs
{
    /// <summary>
    /// y = If(cond, then: x + one, else: x - one), where <c>one</c> is an initializer of the main graph read by both
    /// branches from the outer scope.
    /// </summary>
    public static OnnxModel IfModel()
    {
        var thenBranch = new OnnxGraphBuilder("then");
        thenBranch.Node("Add", ["x", "one"], ["then_out"], "then_add");
        thenBranch.Output("then_out", TensorDataType.Float, 4);
        var elseBranch = new OnnxGraphBuilder("else");
        elseBranch.Node("Sub", ["x", "one"], ["else_out"], "else_sub");
        elseBranch.Output("else_out", TensorDataType.Float, 4);

        var b = new OnnxModelBuilder("if_model").Opset(17);
        b.Graph.Input("cond", TensorDataType.Bool).Input("x", TensorDataType.Float, 4);
        b.Graph.Initializer("one", [4], [1, 1, 1, 1]);
        b.Graph.Node("If", ["cond"], ["y"], "branch")
            .SetAttribute("then_branch", thenBranch.Build())
            .SetAttribute("else_branch", elseBranch.Build());
        b.Graph.Output("y", TensorDataType.Float, 4);
        return b.Build();
    }

    public static OrtInput[] IfInputs(bool cond) =>
        [new OrtInput("cond", new[] { cond }, []), OrtInput.Float("x", [1, 2, 3, 4], 4)];

    public static OrtInput[] MlpInput(int batch = 3, int width = 16) =>
        [OrtInput.Float("input", new DeterministicRandom(17).Uniform(batch * width, 2f), batch, width)];

    /// <summary>Runs both models on the same inputs and asserts every common output is bit-identical.</summary>
    public static void AssertSameOutputs(OnnxModel expected, OnnxModel actual, OrtInput[] inputs)
    {
        var a = OrtRun.Run(expected.ToBytes(), inputs);
        var b = OrtRun.Run(actual.ToBytes(), inputs);
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Shape, b[i].Shape);
            Assert.Equal(a[i].RawBytes, b[i].RawBytes);
        }
    }
}
