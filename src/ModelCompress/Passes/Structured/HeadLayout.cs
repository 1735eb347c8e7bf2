using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Where an attention block's heads live: each producer output segment (Q, K, V — one linear each, or slices of one
/// fused linear cut by a Split) holds <c>heads × head_size</c> columns, head h at columns
/// <c>offset + h·head_size …</c>; the Reshapes that split channels into heads (and merge them back) name the head
/// count (or heads × head_size) in one entry of their shape; Splits of a fused linear name each segment's width.
/// </summary>
/// <param name="HeadCount">Heads before pruning.</param>
/// <param name="Segments">The producer column ranges that hold heads.</param>
/// <param name="Reshapes">Each Reshape to rewrite: the node, the entry of its shape, and whether the entry is heads × head_size (a merge) or the head count.</param>
/// <param name="Splits">Splits of a fused producer, with the segment each output is.</param>
internal sealed record HeadLayout(
    int HeadCount,
    IReadOnlyList<HeadSegment> Segments,
    IReadOnlyList<(OnnxNode Node, int Entry, bool Merged)> Reshapes,
    IReadOnlyList<OnnxNode> Splits);
