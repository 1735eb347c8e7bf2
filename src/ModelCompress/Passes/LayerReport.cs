namespace ModelCompress.Passes;

/// <summary>One layer's work in one step.</summary>
/// <param name="Name">The node name (or its first output when unnamed).</param>
/// <param name="Op">The operator, e.g. <c>MatMul</c>.</param>
/// <param name="Weight">The weight tensor's name.</param>
/// <param name="Shape">The weight's dimensions.</param>
/// <param name="Key">The layer's content-addressed work key (<see cref="Cache.LayerWorkKey"/>).</param>
/// <param name="BytesBefore">Weight bytes before the step.</param>
/// <param name="BytesAfter">Weight bytes after the step (values plus scales).</param>
/// <param name="MaxAbsWeightError">Largest |w − dequantized w| over the weight, when the pass changes values.</param>
/// <param name="Alpha">The SmoothQuant migration strength α chosen for the layer, when a smoothquant step ran.</param>
/// <param name="AlphaSearch">With <c>alpha: auto</c>, the layer's α search: its own best α and the MSE curve.</param>
/// <param name="Note">What was done beyond the plain operation (where 1/s went, the int8 input range, ...).</param>
public sealed record LayerReport(
    string Name,
    string Op,
    string Weight,
    IReadOnlyList<long> Shape,
    string Key,
    long BytesBefore,
    long BytesAfter,
    double? MaxAbsWeightError,
    double? Alpha = null,
    AlphaSearchReport? AlphaSearch = null,
    string? Note = null);
