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

    /// <summary>
    /// Whether the activations after segment <paramref name="segment"/> (0-based) of <paramref name="count"/> are
    /// stored: those of the cuts 1, 2, 4, 8, … segments before the end. A change in segment s must re-run the m =
    /// count − s segments from it on whatever is stored; resuming from the nearest stored cut before it re-runs fewer
    /// than 2m, and a change in the last segment (the most common incremental edit, and the one where an extra segment
    /// would cost most in proportion) re-runs exactly one. Writing every cut made a run on an empty cache write 12 cuts
    /// of char-gpt's activations per calibration or verification pass (25 MiB each at 128 windows), most of the cost
    /// of a cold run over a run without a cache; these cuts are ⌊log₂(count − 1)⌋ + 1 of them (4 of 12).
    /// </summary>
    public static bool StoresActivationsAfter(int segment, int count)
    {
        var distance = count - 1 - segment;
        return distance >= 1 && (distance & (distance - 1)) == 0;
    }
}
