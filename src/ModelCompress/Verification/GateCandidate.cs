using ModelCompress.Onnx;

namespace ModelCompress.Verification;

/// <summary>A compressed model the gate checks: the model in memory and the file ONNX Runtime loads.</summary>
/// <param name="Model">The compressed model.</param>
/// <param name="Path">Its (staged) file.</param>
internal sealed record GateCandidate(OnnxModel Model, string Path);
