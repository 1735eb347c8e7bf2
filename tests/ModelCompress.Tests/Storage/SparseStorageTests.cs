using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Testing;
using ModelCompress.Tests.Cache;
using ModelCompress.Tests.Quantization;

namespace ModelCompress.Tests.Storage;

/// <summary>
/// Packed storage of pruned weights on the real stories260K model, through the engine and its cache: ONNX Runtime
/// gives the dense model's outputs bit for bit, the file shrinks by the values + mask ratio, bytes are reproducible.
/// </summary>
public sealed class SparseStorageTests
{
    private const string Thresholds = "        - { metric: top1_agreement, min: 0.01 }";
    private const string TwoFour = "      - prune: { method: nm, pattern: \"2:4\"";
    private const string StaticInt8 = "\n      - quantize: { mode: static, weights: int8, activations: uint8, per_channel: true, method: minmax }";

    [Fact]
    public void Packed_2_4_weights_run_bit_identical_to_dense_shrink_by_values_plus_mask_and_come_back_from_the_cache()
    {
        using var p = new StoriesCacheProject(Thresholds, steps: TwoFour + " }");
        var sink = new ListDiagnosticSink();

        var first = p.Compress("first", sink);
        var second = p.Compress("second");
        p.WriteRecipe(Thresholds, TwoFour + ", storage: dense }");
        var dense = p.Compress("dense");

        Assert.True(first.Succeeded && second.Succeeded && dense.Succeeded, string.Join("\n", sink.Items));
        Assert.Contains(sink.Items, d => d.Code == "MC3820");
        // The second packed run and the dense run read every pruned layer back: storage is not part of a layer's key.
        Assert.Equal(0, CacheScenarioTests.CacheOf(second).LayerMisses);
        Assert.Equal(0, CacheScenarioTests.CacheOf(dense).LayerMisses);
        var packedBytes = File.ReadAllBytes(p.PathOf("first/stories.onnx"));
        Assert.Equal(packedBytes, File.ReadAllBytes(p.PathOf("second/stories.onnx")));

        var (splits, denseTensorBytes) = Splits(p.PathOf("dense/stories.onnx"));
        Assert.Equal(36, splits.Count); // every MatMul weight; the embedding table is not pruned
        var payload = splits.Sum(s => s.PayloadBytes);
        // 2:4 float: half the values (4 bytes each) and one bit per weight: 2.125 of 4 bytes.
        Assert.InRange((double)payload / denseTensorBytes, 0.531, 0.533);
        AssertSaved(new FileInfo(p.PathOf("dense/stories.onnx")).Length - packedBytes.LongLength, splits, denseTensorBytes);
        AssertSameOutputs(p.PathOf("dense/stories.onnx"), p.PathOf("first/stories.onnx"));
    }

    [Fact]
    public void Pruned_then_static_int8_weights_are_packed_as_int8_codes_and_ort_still_fuses_them()
    {
        using var p = new StoriesCacheProject(Thresholds, steps: TwoFour + " }" + StaticInt8);
        var sink = new ListDiagnosticSink();
        var packed = p.Compress("packed", sink);
        p.WriteRecipe(Thresholds, TwoFour + ", storage: dense }" + StaticInt8);
        var dense = p.Compress("dense", sink);

        Assert.True(packed.Succeeded && dense.Succeeded, string.Join("\n", sink.Items));
        var (splits, denseTensorBytes) = Splits(p.PathOf("dense/stories.onnx"));
        Assert.All(splits, s => Assert.Equal(TensorDataType.Int8, s.DataType));
        // int8 codes of a 2:4 weight: half the bytes plus one bit per weight, a little less where small kept weights
        // round to code 0 too.
        Assert.InRange((double)splits.Sum(s => s.PayloadBytes) / denseTensorBytes, 0.58, 0.626);
        AssertSaved(dense.Report.Models[0].OutputBytes - packed.Report.Models[0].OutputBytes, splits, denseTensorBytes);
        AssertSameOutputs(p.PathOf("dense/stories.onnx"), p.PathOf("packed/stories.onnx"));

        // After ONNX Runtime's optimizations the packed model is the dense one: the rebuilding chain is folded away and
        // the QDQ pairs fuse into the same integer kernels.
        var packedOps = QuantizeTestSupport.OptimizedOps(OnnxModel.Load(p.PathOf("packed/stories.onnx")));
        var denseOps = QuantizeTestSupport.OptimizedOps(OnnxModel.Load(p.PathOf("dense/stories.onnx")));
        Assert.Equal(denseOps.Order(StringComparer.Ordinal), packedOps.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("CumSum", packedOps);
        Assert.Contains(packedOps, op => op is "MatMulInteger" or "QLinearMatMul" or "DynamicQuantizeMatMul" or "MatMulIntegerToFloat");
    }

    /// <summary>The splits packing would make of <paramref name="path"/>'s initializers, and their dense bytes.</summary>
    private static (List<SparseSplit> Splits, long DenseBytes) Splits(string path)
    {
        var tensors = OnnxModel.Load(path).Graph.Initializers.Values.Select(t => (Tensor: t, Split: SparseWeightGraph.Split(t)))
            .Where(x => x.Split is not null).ToList();
        Assert.NotEmpty(tensors);
        return ([.. tensors.Select(x => x.Split!)], tensors.Sum(x => (long)x.Tensor.GetRawData().Length));
    }

    /// <summary>The file shrinks by the dense tensors' bytes less values and masks, less at most the nodes' overhead.</summary>
    private static void AssertSaved(long saved, List<SparseSplit> splits, long denseTensorBytes)
    {
        var payload = splits.Sum(s => s.PayloadBytes);
        Assert.InRange(saved, denseTensorBytes - payload - (SparseWeightGraph.OverheadBytes * splits.Count), denseTensorBytes - payload);
    }

    private static void AssertSameOutputs(string dense, string packed)
    {
        var tokens = Enumerable.Range(0, StoriesCacheProject.SeqLen).Select(i => (long)((i * 37) % 500) + 1).ToArray();
        var input = OrtInput.Int64(EvalInput(dense), tokens, 1, StoriesCacheProject.SeqLen);
        var a = OrtRun.Run(dense, input);
        var b = OrtRun.Run(packed, input);
        Assert.Equal(a.Select(o => o.RawBytes), b.Select(o => o.RawBytes));
    }

    private static string EvalInput(string path) => OnnxModel.Load(path).Graph.Inputs[0].Name;
}
