using Microsoft.ML.OnnxRuntime;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Tests.Engine;

namespace ModelCompress.Tests.Passes;

/// <summary>
/// The int4 model that the pass writes, run in ONNX Runtime, gives x · Ŵ (+ b) where Ŵ is dequantized here from the
/// file's own int4/uint4 codes, block scales and zero points by the ONNX formula y = (q − z) · s — independent of the
/// pass's code — and the int4 packing round-trips through the file.
/// </summary>
public sealed class Int4OnnxRuntimeTests
{
    [Theory]
    [InlineData(true, 16)]
    [InlineData(false, 32)]
    public void Onnx_runtime_output_matches_the_dequantized_reference(bool symmetric, int block)
    {
        using var p = TestProject.Mlp(
            steps: $"      - quantize: {{ weights: int4, block_size: {block}, symmetric_weights: {(symmetric ? "true" : "false")} }}",
            thresholds: "        - { metric: cosine, min: 0.99 }");
        var sink = new ListDiagnosticSink();
        var result = global::ModelCompress.Engine.ModelCompressEngine.Compress(
            p.LoadRecipe(), new global::ModelCompress.Engine.CompressOptions(p.PathOf("out")), sink, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("\n", sink.Items));
        var model = OnnxModel.Load(p.PathOf("out/mlp.onnx"));

        // The first layer: input [1, 64] → DequantizeLinear(W) [64, 256] → MatMul → Add bias.
        var dq = model.Graph.Nodes.First(n => n.OpType == "DequantizeLinear");
        var codes = model.Graph.Initializers[dq.Inputs[0]];
        var scales = model.Graph.Initializers[dq.Inputs[1]].ToFloatArray();
        Assert.Equal(symmetric ? TensorDataType.Int4 : TensorDataType.UInt4, codes.DataType);
        Assert.Equal((0L, (long)block), (dq.GetInt("axis", -1), dq.GetInt("block_size", 0)));
        var (k, n) = ((int)codes.Dims[0], (int)codes.Dims[1]);
        var q = symmetric ? [.. codes.UnpackInt4().Select(v => (int)v)] : UnpackUInt4(codes);
        var zeros = symmetric ? new int[scales.Length] : UnpackUInt4(model.Graph.Initializers[dq.Inputs[2]]);
        var w = new float[k * n];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = ((i / block) * n) + j;
                w[(i * n) + j] = (q[(i * n) + j] - zeros[s]) * scales[s];
            }
        }

        var matmul = model.Graph.GetConsumers(dq.Outputs[0]).Single();
        var add = model.Graph.GetConsumers(matmul.Outputs[0]).Single();
        var bias = model.Graph.Initializers[add.Inputs[1]].ToFloatArray();
        var x = new DeterministicRandom(4).Uniform(k, 1f);
        var expected = new float[n];
        for (var j = 0; j < n; j++)
        {
            var s = 0.0;
            for (var i = 0; i < k; i++)
            {
                s += x[i] * w[(i * n) + j];
            }

            expected[j] = (float)s + bias[j];
        }

        model.Graph.AddOutput(add.Outputs[0]);
        using var session = new InferenceSession(model.ToBytes(), new SessionOptions { IntraOpNumThreads = 1 });
        using var input = OrtValue.CreateTensorValueFromMemory(x, [1, k]);
        using var outputs = session.Run(new RunOptions(), ["input"], [input], [add.Outputs[0]]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        for (var j = 0; j < n; j++)
        {
            Assert.Equal(expected[j], actual[j], 1e-3f * (1 + Math.Abs(expected[j])));
        }
    }

    private static int[] UnpackUInt4(OnnxTensor t)
    {
        var raw = t.ToRawBytes();
        return [.. Enumerable.Range(0, (int)t.ElementCount).Select(i => (raw[i / 2] >> (4 * (i % 2))) & 0xF)];
    }
}
