
namespace ModelCompress.Recipe;

/// <summary><c>distill:</c> recovers accuracy lost by earlier steps by fitting the model to a teacher.</summary>
/// <param name="Method">The distillation method (default layerwise).</param>
/// <param name="Teacher">The teacher as written: <c>source</c> (the model's own fp32 source) or a recipe-relative path
/// with '/' separators.</param>
/// <param name="TeacherPath">Full path of the teacher model; for <c>source</c>, the model's source path.</param>
/// <param name="Epochs">Passes over the calibration data (default 4).</param>
/// <param name="LearningRate">Optimizer step size (default 1e-4).</param>
/// <param name="Location">Where <c>distill</c> was written.</param>
/// <param name="Rows">Input rows captured per layer from the calibration data (default 2048).</param>
public sealed record DistillStep(
    DistillMethod Method,
    string Teacher,
    string TeacherPath,
    int Epochs,
    double LearningRate,
    SourceLocation Location,
    int Rows = DistillStep.DefaultRows) : StepRecipe(Location)
{
    /// <summary>The teacher keyword meaning "the model's own source".</summary>
    public const string SourceTeacher = "source";

    /// <summary>The default number of epochs.</summary>
    public const int DefaultEpochs = 4;

    /// <summary>The default number of captured rows per layer.</summary>
    public const int DefaultRows = 2048;

    /// <summary>The default learning rate.</summary>
    public const double DefaultLearningRate = 1e-4;

    /// <summary>Whether the teacher is the model's own source.</summary>
    public bool TeacherIsSource => Teacher == SourceTeacher;

    /// <inheritdoc />
    /// <remarks>The teacher appears as written (not as a full path) so that moving the project keeps cache keys;
    /// the cache must also hash the teacher's bytes.</remarks>
    public override string SettingsFingerprint() =>
        new FingerprintBuilder(Kind)
            .Add("method", RecipeChoices.DistillMethods.Name(Method))
            .Add("teacher", Teacher)
            .Add("epochs", Epochs)
            .Add("learning_rate", LearningRate)
            .Add("rows", Rows)
            .ToString();

    /// <inheritdoc />
    public override string Kind => "distill";
}
