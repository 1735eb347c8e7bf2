using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>One entry of <c>models:</c>: a source model, its calibration data, its ordered steps and its checks.</summary>
/// <param name="Name">Unique name ([A-Za-z0-9_.-]); the output file is <c>&lt;name&gt;.onnx</c>.</param>
/// <param name="SourcePath">Full path of the source .onnx model.</param>
/// <param name="Calibration">Calibration data, or null when no step needs it.</param>
/// <param name="Steps">The compression steps in the order they run (at least one).</param>
/// <param name="Verify">Accuracy checks, or null when the recipe has none for this model.</param>
/// <param name="Location">The model entry's first key.</param>
/// <param name="SourcePathLocation">The value of <c>source:</c> (for model I/O errors).</param>
public sealed record ModelRecipe(
    string Name,
    string SourcePath,
    CalibrationSettings? Calibration,
    ImmutableArray<StepRecipe> Steps,
    VerifySettings? Verify,
    SourceLocation Location,
    SourceLocation SourcePathLocation)
{
    /// <summary>The output file name, <c>&lt;name&gt;.onnx</c>.</summary>
    public string OutputFileName => Name + ".onnx";

    /// <summary>
    /// Accuracy-driven tuning (<c>tune:</c>), or null. With it, <see cref="Steps"/> is empty in the recipe and the
    /// engine chooses the steps among the candidates.
    /// </summary>
    public TuneSettings? Tune { get; init; }
}
