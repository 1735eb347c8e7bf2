namespace ModelCompress.Recipe;

/// <summary>
/// What <c>dotnet model-compress init</c> knows about the project, so the starter recipe can be specific. Paths are
/// relative to the recipe's folder; anything left null becomes a commented-out example instead.
/// </summary>
public sealed record RecipeTemplateHints
{
    /// <summary>No hints: a dynamic-quantization recipe that needs no data.</summary>
    public static RecipeTemplateHints None { get; } = new();

    /// <summary>Calibration data file; with it the template uses SmoothQuant and static int8.</summary>
    public string? CalibrationData { get; init; }

    /// <summary>For text data: <c>bytes</c> or a llama2.c tokenizer path (default <c>bytes</c>).</summary>
    public string? Tokenizer { get; init; }

    /// <summary>For text data: tokens per window.</summary>
    public int? SeqLen { get; init; }

    /// <summary>The model input the data feeds, when the model has several.</summary>
    public string? Input { get; init; }

    /// <summary>Validation data file; with it the template has a <c>verify:</c> section.</summary>
    public string? VerifyData { get; init; }

    /// <summary>Labels for the validation data; with it the template adds an accuracy threshold.</summary>
    public string? Labels { get; init; }

    /// <summary>
    /// The quantize mode to write; null keeps the default (static with SmoothQuant when there is calibration data,
    /// else dynamic).
    /// </summary>
    public QuantizeMode? Mode { get; init; }

    /// <summary>Whether a static recipe starts with SmoothQuant (default true; it only helps MatMul/Gemm inputs).</summary>
    public bool SmoothQuant { get; init; } = true;

    /// <summary>Comment lines (without '#') that say why the mode was chosen, written above the steps.</summary>
    public IReadOnlyList<string> Why { get; init; } = [];
}
