namespace ModelCompress.Engine.Segments;

/// <summary>
/// How finely a model is cut for segmented runs. More segments mean that a change to one layer re-runs less of the
/// model, but each segment costs an ONNX Runtime session and each cut a stored copy of its activations.
/// </summary>
/// <param name="MaxSegments">At most this many segments.</param>
/// <param name="MinSegmentWeightBytes">
/// A segment carries at least this many bytes of weights (a model lighter than twice this is not cut at all): small
/// models run whole, where sessions would cost more than they save.
/// </param>
/// <param name="MaxCarriedBytes">
/// Segment-major runs hold one cut's activations for every sample; above this many bytes the run is not segmented.
/// </param>
/// <param name="MaxStoredActivationBytes">A cut's activations larger than this are not written to the cache.</param>
internal sealed record SegmentPolicy(int MaxSegments, long MinSegmentWeightBytes, long MaxCarriedBytes, long MaxStoredActivationBytes)
{
    /// <summary>The engine's policy.</summary>
    public static SegmentPolicy Default { get; } = new(16, 256 * 1024, 1L << 30, 64L << 20);

    /// <summary>Never cut: the model runs as one segment.</summary>
    public static SegmentPolicy Whole { get; } = new(1, long.MaxValue, 0, 0);
}
