using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>A tensor split for compact storage (see <see cref="SparseWeightGraph"/>).</summary>
/// <param name="DataType">The tensor's element type.</param>
/// <param name="Dims">The tensor's shape.</param>
/// <param name="Count">Its element count.</param>
/// <param name="Values">The fill entry, then every other entry in order (raw little-endian bytes).</param>
/// <param name="Mask">One bit per entry, set where the entry is not the fill; bit j of byte b is entry 8b + j.</param>
internal sealed record SparseSplit(TensorDataType DataType, long[] Dims, int Count, byte[] Values, byte[] Mask)
{
    /// <summary>The bytes the split stores (values and mask, not the nodes).</summary>
    public long PayloadBytes => Values.LongLength + Mask.LongLength;
}
