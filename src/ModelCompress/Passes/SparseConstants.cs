using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>The small initializers every packed tensor of one graph shares (added once per graph).</summary>
internal sealed class SparseConstants
{
    private readonly OnnxGraph _graph;

    private string? _zero;

    private SparseConstants(OnnxGraph graph, string shifts, string two, string flat, string axis)
    {
        _graph = graph;
        Shifts = shifts;
        Two = two;
        Flat = flat;
        Axis = axis;
    }

    /// <summary>uint8 [8] = 0…7: the right shifts that bring each bit of a mask byte to bit 0.</summary>
    public string Shifts { get; }

    /// <summary>uint8 scalar 2: Mod by it keeps bit 0.</summary>
    public string Two { get; }

    /// <summary>int64 [1] = −1: the flat shape.</summary>
    public string Flat { get; }

    /// <summary>int64 [1] = 0: the slice start, added on first use (only a tensor whose count is not a multiple of 8 needs it).</summary>
    public string Zero
    {
        get
        {
            if (_zero is null)
            {
                _zero = _graph.UniqueName("sparse_zero");
                _graph.AddInitializer(OnnxTensor.FromInt64(_zero, [1], [0]));
            }

            return _zero;
        }
    }

    /// <summary>int32 scalar 0: CumSum's axis.</summary>
    public string Axis { get; }

    /// <summary>Adds the shared initializers to <paramref name="graph"/>.</summary>
    public static SparseConstants AddTo(OnnxGraph graph)
    {
        var c = new SparseConstants(
            graph, graph.UniqueName("sparse_bit_shifts"), graph.UniqueName("sparse_two"), graph.UniqueName("sparse_flat_shape"),
            graph.UniqueName("sparse_axis"));
        graph.AddInitializer(OnnxTensor.FromUInt8(c.Shifts, [8], [0, 1, 2, 3, 4, 5, 6, 7]));
        graph.AddInitializer(OnnxTensor.FromUInt8(c.Two, [], [2]));
        graph.AddInitializer(OnnxTensor.FromInt64(c.Flat, [1], [-1]));
        graph.AddInitializer(OnnxTensor.FromInt32(c.Axis, [], [0]));
        return c;
    }
}
