using System.Runtime.InteropServices;

namespace ModelCompress.Onnx;

/// <summary>Models larger than memory, for external-data tests and benchmarks.</summary>
public static partial class SampleModels
{
    /// <summary>
    /// <c>x</c> [batch, <paramref name="inputSize"/>] → <paramref name="weights"/> independent MatMuls, each by its own
    /// [<paramref name="inputSize"/>, <paramref name="outputSize"/>] Float weight → outputs <c>y0</c>, <c>y1</c>, ...
    /// The weights are generated (<see cref="OnnxTensor.FromGenerator"/>): their bytes are produced while the model is
    /// saved, a megabyte at a time, so a model of many gigabytes can be written with external data without ever
    /// being held in memory. Values are uniform in ±1/√inputSize from a seed per weight; calling this again with the
    /// same arguments yields the same bytes.
    /// </summary>
    public static OnnxModel LargeMatMuls(int weights, int inputSize, int outputSize, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weights);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        var b = new OnnxModelBuilder("large_matmuls").Opset(17).Producer("ModelCompress.SampleModels", "1");
        var g = b.Graph;
        g.Input("x", TensorDataType.Float, "batch", inputSize);
        var elements = (long)inputSize * outputSize;
        var limit = Limit(inputSize);
        for (var i = 0; i < weights; i++)
        {
            var weightSeed = seed + ((ulong)i * 0x9E3779B97F4A7C15UL);
            var w = OnnxTensor.FromGenerator($"w{i}", TensorDataType.Float, [inputSize, outputSize], s => WriteUniform(s, elements, weightSeed, limit));
            g.Initializer(w);
            g.Node("MatMul", ["x", w.Name], [$"y{i}"], $"/layer{i}/MatMul");
            g.Output($"y{i}", TensorDataType.Float, "batch", outputSize);
        }

        return b.Build();
    }

    private static void WriteUniform(Stream destination, long elements, ulong seed, float limit)
    {
        var rng = new DeterministicRandom(seed);
        var chunk = new float[1 << 18];
        for (long done = 0; done < elements; done += chunk.Length)
        {
            var n = (int)Math.Min(chunk.Length, elements - done);
            rng.FillUniform(chunk.AsSpan(0, n), limit);
            destination.Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, n)));
        }
    }
}
