namespace ModelCompress.Engine;

/// <summary>The outcome of <see cref="ModelCompressEngine.Verify"/>.</summary>
/// <param name="Models">Each recipe model with its verification (null when the recipe has no <c>verify:</c> for it).</param>
/// <param name="AccuracyBudgetExceeded">Whether any model breached its thresholds.</param>
public sealed record VerifyResult(IReadOnlyList<ModelVerification> Models, bool AccuracyBudgetExceeded)
{
    /// <summary>Whether every gate passed, or breaches were only warnings.</summary>
    public bool Succeeded { get; init; } = true;
}
