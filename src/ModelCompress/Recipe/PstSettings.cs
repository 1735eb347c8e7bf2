using System.Globalization;

namespace ModelCompress.Recipe;

/// <summary>
/// The settings of <c>prune: { method: pst }</c>: the rank r of the low-rank term A·B of the importance score, how
/// many gradient steps fit A, B, R and C, and their step size.
/// </summary>
/// <param name="Rank">Rank r of A [N×r] · B [r×K].</param>
/// <param name="Steps">Gradient steps per layer.</param>
/// <param name="LearningRate">Adam step size.</param>
public sealed record PstSettings(int Rank, int Steps, double LearningRate)
{
    /// <summary>Default rank.</summary>
    public const int DefaultRank = 8;

    /// <summary>Default number of steps.</summary>
    public const int DefaultSteps = 60;

    /// <summary>Default step size.</summary>
    public const double DefaultLearningRate = 0.05;

    /// <summary>How many calibration input rows a layer's fit uses.</summary>
    public const int CaptureRows = 128;

    /// <summary>The settings with every default.</summary>
    public static PstSettings Default { get; } = new(DefaultRank, DefaultSteps, DefaultLearningRate);

    /// <summary>The canonical text for fingerprints.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"rank={Rank},steps={Steps},lr={LearningRate:R}");
}
