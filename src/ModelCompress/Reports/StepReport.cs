using ModelCompress.Passes;

namespace ModelCompress.Reports;

/// <summary>One recipe step applied to a model.</summary>
/// <param name="Step">The recipe step kind, e.g. <c>quantize</c>.</param>
/// <param name="Pass">The pass that ran it, e.g. <c>weight_only_int8</c>.</param>
/// <param name="Settings">The step's settings fingerprint (part of each layer's work key).</param>
/// <param name="Layers">Every layer the pass changed, in graph order.</param>
public sealed record StepReport(string Step, string Pass, string Settings, IReadOnlyList<LayerReport> Layers);
