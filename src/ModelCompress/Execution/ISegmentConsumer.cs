using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Execution;

/// <summary>
/// What a segmented run feeds the requested values to (calibration statistics, verification outputs). Each value is
/// observed for every sample in sample order; a segment whose result was stored is restored instead of observed.
/// </summary>
internal interface ISegmentConsumer
{
    /// <summary>What the consumer computes (its settings), part of every result key.</summary>
    byte[] Fingerprint { get; }

    /// <summary>
    /// What else a segment's result depends on besides the values observed (e.g. the compressed layers it is compared
    /// with); part of that segment's result key. Empty when nothing does.
    /// </summary>
    byte[] SegmentFingerprint(IReadOnlyList<string> names) => [];

    /// <summary>One sample's values of <paramref name="names"/> (owned by the caller; copy what is kept).</summary>
    void Observe(int sample, IReadOnlyList<string> names, IReadOnlyList<OrtValue> values);

    /// <summary>The stored form of what was computed from <paramref name="names"/> (called once they were all observed).</summary>
    byte[] Encode(IReadOnlyList<string> names);

    /// <summary>Takes a stored result of <paramref name="names"/> back; false when it does not decode (then it is recomputed).</summary>
    bool Restore(IReadOnlyList<string> names, byte[] payload);
}
