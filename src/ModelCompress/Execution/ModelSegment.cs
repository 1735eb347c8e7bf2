using ModelCompress.Onnx;

namespace ModelCompress.Execution;

/// <summary>
/// One piece of a cut model: a run of consecutive data nodes (in graph order) plus the constant-only nodes they need.
/// </summary>
/// <param name="Index">Its position in the plan.</param>
/// <param name="Nodes">The nodes to run, in graph order (constant nodes shared with other segments are repeated).</param>
/// <param name="GraphInputs">The model inputs its nodes read (fed from the samples).</param>
/// <param name="CarriedInputs">The values produced by earlier segments that its nodes read.</param>
/// <param name="Exports">The values it produces that later segments read.</param>
/// <param name="Requested">The requested values it produces (observed by the caller).</param>
/// <param name="LiveAfter">Every value produced so far that a later segment reads: what a run resuming after this segment needs.</param>
/// <param name="WeightBytes">Bytes of the initializers its nodes read.</param>
internal sealed record ModelSegment(
    int Index,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<string> GraphInputs,
    IReadOnlyList<string> CarriedInputs,
    IReadOnlyList<string> Exports,
    IReadOnlyList<string> Requested,
    IReadOnlyList<string> LiveAfter,
    long WeightBytes);
