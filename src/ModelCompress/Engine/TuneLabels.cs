using System.Collections.Immutable;
using System.Globalization;
using ModelCompress.Recipe;

namespace ModelCompress.Engine;

/// <summary>Short, stable descriptions of candidate step lists for reports and the one-line build message.</summary>
internal static class TuneLabels
{
    /// <summary>E.g. <c>SQ auto + int8 static minmax per-channel</c> or <c>int4 gptq b128</c>.</summary>
    public static string Describe(ImmutableArray<StepRecipe> steps) => string.Join(" + ", steps.Select(Describe));

    private static string Describe(StepRecipe step) => step switch
    {
        SmoothQuantStep { Alpha: { } a } => "SQ α=" + a.ToString("0.###", CultureInfo.InvariantCulture),
        SmoothQuantStep => "SQ auto",
        QuantizeStep { Weights: QuantizeWeightType.Int4 } q =>
            $"int4 {(q.Algorithm == Int4Algorithm.Gptq ? "gptq" : "rtn")} b{q.BlockSize.ToString(CultureInfo.InvariantCulture)}" + Excluding(q),
        QuantizeStep q => "int8 " + q.Mode switch
        {
            QuantizeMode.WeightOnly => "weight-only",
            QuantizeMode.Dynamic => "dynamic",
            _ => "static " + q.Method.ToString().ToLowerInvariant(),
        } + (q.PerChannel ? " per-channel" : " per-tensor") + Excluding(q),
        PruneStep p => "prune " + p.Method.ToString().ToLowerInvariant() + " "
            + (p.Pattern is { } pattern ? pattern.ToString() : p.Sparsity.ToString("0.###", CultureInfo.InvariantCulture)),
        _ => step.Kind,
    };

    private static string Excluding(QuantizeStep q) => q.Exclude.IsDefaultOrEmpty
        ? string.Empty
        : " excluding " + string.Join(", ", q.Exclude.Select(e => e.ToString()));
}
