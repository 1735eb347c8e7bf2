namespace ModelCompress.Reports;

/// <summary>What happened to one model.</summary>
/// <param name="Name">The recipe's model name.</param>
/// <param name="Source">The fp32 source, relative to the recipe folder.</param>
/// <param name="Output">The compressed model's file name in the output folder.</param>
/// <param name="SourceBytes">Size of the source model (including external data).</param>
/// <param name="OutputBytes">Size of the compressed model.</param>
/// <param name="SizeRatio">OutputBytes / SourceBytes.</param>
/// <param name="Steps">The steps run, in recipe order.</param>
/// <param name="Verification">The accuracy check, when the recipe has verify data.</param>
public sealed record ModelReport(
    string Name,
    string Source,
    string Output,
    long SourceBytes,
    long OutputBytes,
    double SizeRatio,
    IReadOnlyList<StepReport> Steps,
    VerificationReport? Verification)
{
    /// <summary>The tuning run that chose the steps, when the model has <c>tune:</c>.</summary>
    public TuningReport? Tuning { get; init; }
}
