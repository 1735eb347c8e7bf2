using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Execution;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Execution;

/// <summary>ONNX Runtime failing inside a segment is the caller's coded error, naming the segment and the sample.</summary>
public sealed class SegmentFailureTests
{
    [Fact]
    public void A_sample_a_segment_cannot_run_is_the_gates_MC5004_with_the_segment_and_sample()
    {
        var model = SegmentPlannerTests.QdqChain();
        var plan = SegmentPlanner.Plan(model, [model.Graph.Outputs[0].Name], SegmentPolicy.Default);
        Assert.True(plan.IsSegmented);

        // The chain's input is [1, 256]; 100 values cannot go through the first MatMul.
        IReadOnlyDictionary<string, CarriedTensor> bad = new Dictionary<string, CarriedTensor>
        {
            ["x"] = new(TensorElementType.Float, [1, 100], new byte[400]),
        };
        var ex = Assert.Throws<ModelCompressException>(() =>
            SegmentCacheContext.None.Run(plan, [bad], new OutputConsumer("chain", 1), OrtModelRunner.SegmentSessions("chain"), CancellationToken.None));
        Assert.Equal("MC5004", ex.Code);
        Assert.Contains($"segment 1 of {plan.Segments.Count}, sample 0", ex.Message, StringComparison.Ordinal);
    }
}
