using ModelCompress.Onnx;

namespace ModelCompress.Execution;

/// <summary>
/// A model cut into segments that run one after another, each in its own ONNX Runtime session, the values crossing a
/// cut carried from one to the next. The cuts depend on the graph's structure only (never on weight values), so a
/// model whose weights changed is cut at the same places and the segments upstream of the change are the same.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Segments">The segments in run order; one segment means the model runs whole.</param>
/// <param name="RequestedInputs">Requested values that are model inputs (observed straight from the samples).</param>
/// <param name="WhyWhole">Why the model runs whole (null when it is cut or simply too small to cut).</param>
internal sealed record SegmentPlan(OnnxModel Model, IReadOnlyList<ModelSegment> Segments, IReadOnlyList<string> RequestedInputs, string? WhyWhole)
{
    /// <summary>Whether the model is cut into more than one segment.</summary>
    public bool IsSegmented => Segments.Count > 1;
}
