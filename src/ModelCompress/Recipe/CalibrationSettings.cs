namespace ModelCompress.Recipe;

/// <summary>The model's calibration data (<c>calibration:</c>).</summary>
/// <param name="Data">The data file and how to read it.</param>
/// <param name="Samples">How many samples (or text windows) to use (<c>samples</c>, default 128).</param>
/// <param name="Seed">Seed for choosing samples/windows, so runs are repeatable (<c>seed</c>, default 0).</param>
/// <param name="Location">Where <c>calibration:</c>'s mapping starts.</param>
public sealed record CalibrationSettings(DataSource Data, int Samples, int Seed, SourceLocation Location)
{
    /// <summary>The default number of calibration samples.</summary>
    public const int DefaultSamples = 128;
}
