namespace ModelCompress.Execution;

/// <summary>
/// How finely a model is cut for segmented runs. More segments mean that a change to one layer re-runs less of the
/// model, but each segment costs an ONNX Runtime session and each cut a stored copy of its activations. Segment-major
/// runs hold one cut's activations for every sample in memory (char-gpt, 128 windows of 128 bytes: 25 MiB).
/// </summary>
/// <param name="MaxSegments">At most this many segments.</param>
/// <param name="MinSegmentWeightBytes">
/// A segment carries at least this many bytes of weights (a model lighter than twice this is not cut at all): small
/// models run whole, where sessions would cost more than they save.
/// </param>
/// <param name="MaxStoredActivationBytes">A cut's activations larger than this are not written to the cache.</param>
internal sealed record SegmentPolicy(int MaxSegments, long MinSegmentWeightBytes, long MaxStoredActivationBytes)
{
    /// <summary>The engine's policy.</summary>
    public static SegmentPolicy Default { get; } = new(16, 256 * 1024, 64L << 20);
}
