namespace ModelCompress.Reports;

/// <summary>
/// The content of <c>report.json</c>. Everything except <see cref="Timings"/> is a function of the inputs, so two runs
/// on the same inputs give the same text outside <c>timings</c>; paths are relative to the recipe's folder.
/// </summary>
/// <param name="Schema">The report format id, <c>modelcompress.report/1</c>.</param>
/// <param name="EngineVersion">The engine version that produced it (part of every layer's work key).</param>
/// <param name="Recipe">The recipe file name.</param>
/// <param name="Passed">Whether every model passed its accuracy gate.</param>
/// <param name="Models">One entry per recipe model, in recipe order.</param>
/// <param name="Diagnostics">Warnings and errors raised during the run, in canonical form.</param>
/// <param name="Timings">Run-dependent measurements (wall times, cache hits); excluded from determinism.</param>
public sealed record CompressionReport(
    string Schema,
    string EngineVersion,
    string Recipe,
    bool Passed,
    IReadOnlyList<ModelReport> Models,
    IReadOnlyList<string> Diagnostics,
    RunTimings Timings)
{
    /// <summary>The current <see cref="Schema"/> value.</summary>
    public const string CurrentSchema = "modelcompress.report/1";
}
