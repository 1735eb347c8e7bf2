using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Puts a pass's new float weights into the graph: each layer's node reads a new initializer, layers that read one
/// tensor and got the same values share one new initializer (layers whose values differ, such as a weight read by two
/// inputs with different calibration, get one each), and the old weight goes once nothing reads it.
/// </summary>
internal sealed class ReplacedWeights(OnnxGraph graph, string suffix)
{
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);

    /// <summary>Points <paramref name="layer"/>'s weight input at <paramref name="values"/> (shaped as its weight).</summary>
    public void Replace(PassLayer layer, float[] values)
    {
        var id = layer.WeightName + "|" + Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));
        if (!_written.TryGetValue(id, out var name))
        {
            // A new name: the old tensor may be a Constant node's output or be read elsewhere.
            name = graph.UniqueName(layer.WeightName + suffix);
            graph.AddInitializer(OnnxTensor.FromFloats(name, [.. layer.WeightShape], values));
            _written[id] = name;
        }

        var old = layer.Node.Inputs[layer.WeightInputIndex];
        layer.Node.Inputs[layer.WeightInputIndex] = name;
        UnusedWeights.Remove(graph, old);
    }

    /// <summary>The largest |a_i − b_i| (a report row's weight error).</summary>
    public static double MaxAbsError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
