using System.Globalization;
using System.Text;

namespace ModelCompress.Recipe;

/// <summary>
/// Writes steps back as the <c>steps:</c> list of a recipe, so that a tuning result can be pasted in place of the
/// <c>tune:</c> section. smoothquant, quantize and the common prune settings are written key by key, with every
/// setting the engine used (defaults included) so the pasted steps mean the same on a later engine version.
/// </summary>
public static class StepYaml
{
    /// <summary>The YAML list, each line indented by <paramref name="indent"/> spaces, ending with a newline.</summary>
    public static string Write(IEnumerable<StepRecipe> steps, int indent = 0)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var pad = new string(' ', indent);
        var text = new StringBuilder();
        text.Append(pad).Append("steps:\n");
        foreach (var step in steps)
        {
            if (step is SmoothQuantStep or QuantizeStep or PruneStep)
            {
                text.Append(pad).Append("  - ").Append(step.Kind).Append(": { ").Append(string.Join(", ", Settings(step))).Append(" }\n");
            }
            else
            {
                // Steps with many settings of their own (distill, share) come only from explicit candidates, where
                // the recipe already holds them as written.
                text.Append(pad).Append("  # ").Append(step.Kind).Append(": copy it from the candidate in the recipe (").Append(step.SettingsFingerprint()).Append(")\n");
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Settings(StepRecipe step)
    {
        switch (step)
        {
            case SmoothQuantStep { Alpha: { } alpha } s:
                yield return "alpha: " + N(alpha);
                yield return "fold: " + B(s.Fold);
                break;
            case SmoothQuantStep s:
                yield return "alpha: auto";
                yield return $"alpha_range: [{N(s.AlphaLow)}, {N(s.AlphaHigh)}]";
                yield return "alpha_step: " + N(s.AlphaStep);
                yield return "combine: " + RecipeChoices.Combines.Name(s.Combine);
                yield return "fold: " + B(s.Fold);
                break;
            case QuantizeStep q:
                yield return "mode: " + RecipeChoices.Modes.Name(q.Mode);
                yield return "weights: " + RecipeChoices.WeightType.Name(q.Weights);
                if (q.Mode != QuantizeMode.WeightOnly)
                {
                    yield return "activations: " + RecipeChoices.ActivationType.Name(q.Activations);
                }

                yield return "per_channel: " + B(q.PerChannel);
                yield return "symmetric_weights: " + B(q.SymmetricWeights);
                if (q.Mode == QuantizeMode.Static)
                {
                    yield return "method: " + RecipeChoices.RangeMethod.Name(q.Method);
                    if (q.Method == ActivationRangeMethod.Percentile)
                    {
                        yield return "percentile: " + N(q.Percentile);
                    }
                }

                if (q.Weights == QuantizeWeightType.Int4)
                {
                    yield return "block_size: " + q.BlockSize.ToString(CultureInfo.InvariantCulture);
                    yield return "algorithm: " + RecipeChoices.Int4Algorithms.Name(q.Algorithm);
                }

                if (!q.Exclude.IsDefaultOrEmpty)
                {
                    yield return "exclude: [" + string.Join(", ", q.Exclude.Select(e => "\"" + e + "\"")) + "]";
                }

                break;
            case PruneStep p:
                yield return "method: " + RecipeChoices.PruneMethods.Name(p.Method);
                yield return p.Pattern is { } pattern ? $"pattern: \"{pattern}\"" : "sparsity: " + N(p.Sparsity);
                if (!p.Exclude.IsDefaultOrEmpty)
                {
                    yield return "exclude: [" + string.Join(", ", p.Exclude.Select(e => "\"" + e + "\"")) + "]";
                }

                break;
        }
    }

    private static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string B(bool v) => v ? "true" : "false";
}
