namespace ModelCompress.Pruning;

/// <summary>The result of fitting a layer's PST importance (<see cref="PstImportance"/>).</summary>
/// <param name="Keep">The mask chosen from the fitted score, logical [N × K].</param>
/// <param name="MagnitudeKeep">The mask of |W| alone under the same selection.</param>
/// <param name="ErrorBefore">‖X(W − W⊙M_|W|)ᵀ‖² / ‖XWᵀ‖² on the calibration rows.</param>
/// <param name="ErrorAfter">The same for <paramref name="Keep"/>.</param>
public sealed record PstFit(bool[] Keep, bool[] MagnitudeKeep, double ErrorBefore, double ErrorAfter);
