namespace ModelCompress.Engine;

/// <summary>One progress update: which model, which phase, and how far along it is.</summary>
/// <param name="Model">The recipe's model name.</param>
/// <param name="Phase">The phase, e.g. <c>load</c>, <c>quantize</c>, <c>verify</c>, <c>write</c>.</param>
/// <param name="Done">Units done in this phase (layers, samples).</param>
/// <param name="Total">Units in this phase, 0 when unknown.</param>
/// <param name="Detail">What is being worked on, e.g. a layer name.</param>
public sealed record CompressProgress(string Model, string Phase, long Done, long Total, string? Detail = null);
