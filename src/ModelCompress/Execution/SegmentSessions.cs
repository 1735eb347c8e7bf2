using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Execution;

/// <summary>How a segmented run talks to ONNX Runtime: the caller's session options, error codes and progress.</summary>
/// <param name="Open">Opens a session over a segment's model bytes.</param>
/// <param name="Fail">
/// Turns a failure (ONNX Runtime's, or a value a cut cannot carry), with where it happened, into the caller's coded error.
/// </param>
/// <param name="Progress">Called after each sample of each segment run with (done, total); may be null.</param>
internal sealed record SegmentSessions(
    Func<byte[], InferenceSession> Open, Func<Exception, string, Exception> Fail, Action<long, long>? Progress = null);
