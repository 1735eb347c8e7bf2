
namespace ModelCompress.Recipe;

/// <summary>
/// <c>smoothquant:</c> migrates activation outliers into the weights before int8 quantization (Xiao et al., 2023,
/// "SmoothQuant", eq. 4: s_j = max|X_j|^α / max|W_j|^(1−α)).
/// </summary>
/// <param name="Alpha">The migration strength α in [0, 1], or null for <c>auto</c> (searched per layer).</param>
/// <param name="AlphaLow">Lower end of the auto search (<c>alpha_range[0]</c>, default 0.3).</param>
/// <param name="AlphaHigh">Upper end of the auto search (<c>alpha_range[1]</c>, default 0.7).</param>
/// <param name="AlphaStep">Grid step of the auto search (<c>alpha_step</c>, default 0.05).</param>
/// <param name="Combine">How shared inputs combine per-layer alphas (<c>combine</c>, default mean).</param>
/// <param name="Fold">Whether the smoothing factors are folded into the preceding op (<c>fold</c>, default true).</param>
/// <param name="Location">Where <c>smoothquant</c> was written.</param>
public sealed record SmoothQuantStep(
    double? Alpha,
    double AlphaLow,
    double AlphaHigh,
    double AlphaStep,
    AlphaCombine Combine,
    bool Fold,
    SourceLocation Location) : StepRecipe(Location)
{
    /// <summary>The default α when neither a number nor <c>auto</c> is given (the paper's default).</summary>
    public const double DefaultAlpha = 0.5;

    /// <summary>The default <see cref="Headroom"/> of <c>alpha: auto</c>: one bit of room above each channel's calibrated maximum.</summary>
    public const double DefaultAutoHeadroom = 2;

    /// <summary>
    /// <c>headroom</c>: how many times its calibrated maximum each input channel may reach after smoothing before the
    /// int8 range clips it (capped by the room it had unsmoothed); 1 is the paper's s as written. The binder sets
    /// <see cref="DefaultAutoHeadroom"/> for <c>alpha: auto</c> and 1 for a fixed α unless the recipe gives it.
    /// </summary>
    public double Headroom { get; init; } = 1;

    /// <summary>
    /// <c>headroom: auto</c> (only with <c>alpha: auto</c>): each group's headroom is chosen from a few candidates by the
    /// int8 error on captured calibration rows that its activation range was not taken from; <see cref="Headroom"/> is then unused.
    /// </summary>
    public bool AutoHeadroom { get; init; }

    /// <summary>Whether α is searched (<c>alpha: auto</c>).</summary>
    public bool IsAutoAlpha => Alpha is null;

    /// <inheritdoc />
    public override string Kind => "smoothquant";

    /// <inheritdoc />
    public override string SettingsFingerprint()
    {
        var f = new FingerprintBuilder(Kind).Add("fold", Fold);
        if (AutoHeadroom)
        {
            f.Add("headroom", "auto");
        }
        else if (Headroom != 1 || IsAutoAlpha)
        {
            f.Add("headroom", Headroom);
        }

        if (Alpha is { } a)
        {
            return f.Add("alpha", a).ToString();
        }

        return f.Add("alpha", "auto")
            .Add("alpha_low", AlphaLow)
            .Add("alpha_high", AlphaHigh)
            .Add("alpha_step", AlphaStep)
            .Add("combine", RecipeChoices.Combines.Name(Combine))
            .ToString();
    }
}
