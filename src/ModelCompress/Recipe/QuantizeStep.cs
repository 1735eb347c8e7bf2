using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>
/// <c>quantize:</c> replaces float weights (and, unless weight-only, activations) with integers: q = round(x / s) + z,
/// x ≈ s·(q − z) (Jacob et al., 2018, eq. 1), symmetric weights using z = 0.
/// </summary>
/// <param name="Mode">static, dynamic or weight_only (default static).</param>
/// <param name="Weights">int8 or int4 (default int8).</param>
/// <param name="Activations">uint8 or int8 (default uint8).</param>
/// <param name="PerChannel">One scale per output channel rather than per tensor (default true).</param>
/// <param name="SymmetricWeights">Weights use zero point 0 (default true).</param>
/// <param name="Method">How static activation ranges are chosen (default minmax).</param>
/// <param name="Percentile">The percentile for <see cref="ActivationRangeMethod.Percentile"/> (default 99.999).</param>
/// <param name="BlockSize">Block length for int4 weights (default 32).</param>
/// <param name="Exclude">Nodes left in float.</param>
/// <param name="Location">Where <c>quantize</c> was written.</param>
public sealed record QuantizeStep(
    QuantizeMode Mode,
    QuantizeWeightType Weights,
    QuantizeActivationType Activations,
    bool PerChannel,
    bool SymmetricWeights,
    ActivationRangeMethod Method,
    double Percentile,
    int BlockSize,
    ImmutableArray<ExcludePattern> Exclude,
    SourceLocation Location) : StepRecipe(Location)
{
    /// <summary>The default percentile.</summary>
    public const double DefaultPercentile = 99.999;

    /// <summary>The default int4 block size.</summary>
    public const int DefaultBlockSize = 32;

    /// <summary>The default GPTQ dampening, λ = percdamp · mean diag(H) (GPTQ's reference uses 0.01).</summary>
    public const double DefaultPercDamp = 0.01;

    /// <summary>How weights are rounded (<c>algorithm:</c>; default rtn). For <c>weights: int4</c>, and int8 weights in static mode.</summary>
    public Int4Algorithm Algorithm { get; init; } = Int4Algorithm.Rtn;

    /// <summary>GPTQ's dampening fraction (<c>percdamp:</c>, default 0.01). Only for <c>algorithm: gptq</c>.</summary>
    public double PercDamp { get; init; } = DefaultPercDamp;

    /// <inheritdoc />
    public override string Kind => "quantize";

    /// <inheritdoc />
    public override string SettingsFingerprint()
    {
        var f = new FingerprintBuilder(Kind)
            .Add("mode", RecipeChoices.Modes.Name(Mode))
            .Add("weights", RecipeChoices.WeightType.Name(Weights))
            .Add("per_channel", PerChannel)
            .Add("symmetric_weights", SymmetricWeights)
            .AddSet("exclude", Exclude.Select(e => e.ToString()));
        if (Weights == QuantizeWeightType.Int4)
        {
            f.Add("block_size", BlockSize).Add("algorithm", RecipeChoices.Int4Algorithms.Name(Algorithm));
            if (Algorithm == Int4Algorithm.Gptq)
            {
                f.Add("percdamp", PercDamp);
            }
        }
        else if (Algorithm == Int4Algorithm.Gptq)
        {
            // Written only when asked for, so int8 recipes without it keep their fingerprints (and cache keys).
            f.Add("algorithm", RecipeChoices.Int4Algorithms.Name(Algorithm)).Add("percdamp", PercDamp);
        }

        if (Mode != QuantizeMode.WeightOnly)
        {
            f.Add("activations", RecipeChoices.ActivationType.Name(Activations));
        }

        if (Mode == QuantizeMode.Static)
        {
            f.Add("method", RecipeChoices.RangeMethod.Name(Method));
            if (Method == ActivationRangeMethod.Percentile)
            {
                f.Add("percentile", Percentile);
            }
        }

        return f.ToString();
    }
}
