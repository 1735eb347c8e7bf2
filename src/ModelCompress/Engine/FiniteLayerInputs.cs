using ModelCompress.Calibration;
using ModelCompress.Passes;

namespace ModelCompress.Engine;

/// <summary>
/// Refuses, with a coded error at the step's line, a layer whose weights or calibration statistics hold NaN or infinity
/// before a pass computes it: every pass would otherwise turn them into NaN scales, NaN weights or an uncoded exception
/// deep in the kernels. Checked only for layers actually computed: a cached result was computed from the same weights
/// and statistics (they are its key), so it passed this check when it was made.
/// </summary>
internal static class FiniteLayerInputs
{
    /// <summary>Throws MC3450 (weights) or MC3451 (statistics) for the first non-finite value of <paramref name="layer"/>.</summary>
    public static void Check(PassLayer layer, LayerInputStatistics? statistics, PassContext context)
    {
        var weights = layer.WeightValues;
        var bad = IndexOfNonFinite(weights);
        if (bad >= 0)
        {
            throw context.Error("MC3450", context.ModelName, layer.Name, layer.WeightName, Describe(weights[bad]), bad);
        }

        if (statistics is null)
        {
            return;
        }

        foreach (var values in new[] { statistics.Min, statistics.Max, statistics.AbsMax })
        {
            bad = IndexOfNonFinite(values);
            if (bad >= 0)
            {
                throw context.Error("MC3451", context.ModelName, layer.Name, layer.ActivationName, Describe(values[bad]), bad);
            }
        }
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        // NaN and ±∞ are exactly the values whose exponent bits are all ones.
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";
}
