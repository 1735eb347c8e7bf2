namespace ModelCompress.Build.Tasks;

/// <summary>
/// The exit codes of <c>dotnet model-compress run</c>, copied from the tool's contract (its <c>ExitCode</c> enum,
/// never renumbered). The task keeps its own copy rather than referencing the CLI so that MSBuild's process never
/// loads the engine's assemblies.
/// </summary>
internal enum ToolExitCode
{
    Success = 0,
    InternalError = 1,
    UsageError = 2,
    InvalidRecipe = 3,
    InvalidModel = 4,
    CompressionFailed = 5,
    AccuracyBudgetExceeded = 6,
    Cancelled = 7,
}
