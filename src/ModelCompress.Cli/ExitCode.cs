namespace ModelCompress.Cli;

/// <summary>
/// The process exit codes of <c>dotnet model-compress</c>. Scripts and the MSBuild task depend on these numbers: never
/// renumber or reuse one; add new codes at the end.
/// </summary>
public enum ExitCode
{
    /// <summary>Everything worked (accuracy gates passed, or breaches were warnings).</summary>
    Success = 0,

    /// <summary>A bug in the tool (an unexpected exception); the message says what to report.</summary>
    InternalError = 1,

    /// <summary>The command line was wrong (unknown verb or option, missing argument).</summary>
    UsageError = 2,

    /// <summary>The recipe is missing or invalid (MC2xxx).</summary>
    InvalidRecipe = 3,

    /// <summary>A model file is missing or cannot be read (MC1xxx).</summary>
    InvalidModel = 4,

    /// <summary>Compression could not be done: data, quantization, pruning, cache or output errors (MC3xxx, MC4xxx, MC6xxx, MC7xxx).</summary>
    CompressionFailed = 5,

    /// <summary>A compressed model breached the recipe's accuracy thresholds (MC5001).</summary>
    AccuracyBudgetExceeded = 6,

    /// <summary>The run was cancelled (Ctrl+C); no partial output was left under a final name.</summary>
    Cancelled = 7,
}
