namespace ModelCompress.Execution;

/// <summary>What one segmented run did.</summary>
/// <param name="Segments">Segments in the plan.</param>
/// <param name="Restored">Segments whose results were read back from the cache, or that have nothing to observe.</param>
/// <param name="Run">Segments ONNX Runtime ran.</param>
/// <param name="ResumedAfter">The segment whose stored activations the run resumed from (-1: from the samples).</param>
internal sealed record SegmentRunReport(int Segments, int Restored, int Run, int ResumedAfter)
{
    /// <summary>Wall time of the run, keys and cache reads and writes included.</summary>
    public double Milliseconds { get; init; }
}
