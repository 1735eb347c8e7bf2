namespace ModelCompress.Recipe;

/// <summary>What accuracy-driven tuning optimizes (<c>tune.objective</c>) among the candidates that meet the thresholds.</summary>
public enum TuneObjective
{
    /// <summary>The smallest output: candidates are tried from the smallest expected size; the first that passes wins.</summary>
    Size,

    /// <summary>The fastest output on ONNX Runtime's CPU provider: tried from the fastest expected kind; the first that passes wins.</summary>
    Latency,

    /// <summary>The most accurate output: every candidate within the budget is tried; the one with the widest margin wins.</summary>
    Accuracy,
}
