using ModelCompress.Reports;

namespace ModelCompress.Engine;

/// <summary>The outcome of <c>ModelCompressEngine.Compress</c>.</summary>
/// <param name="Report">What was done, as written to <c>report.json</c>.</param>
/// <param name="OutputFiles">Absolute paths of every file written (models, report.json), sorted.</param>
/// <param name="InputFiles">Absolute paths of every file read (recipe, models, data), sorted.</param>
/// <param name="AccuracyBudgetExceeded">Whether any model breached its accuracy thresholds.</param>
public sealed record CompressResult(
    CompressionReport Report,
    IReadOnlyList<string> OutputFiles,
    IReadOnlyList<string> InputFiles,
    bool AccuracyBudgetExceeded)
{
    /// <summary>Whether the run succeeded: outputs written and, when failing on regression, every gate passed.</summary>
    public bool Succeeded { get; init; } = true;
}
