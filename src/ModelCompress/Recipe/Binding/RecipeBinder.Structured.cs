using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>The settings only <c>prune: { method: structured }</c> takes: <c>targets</c> and <c>importance</c>.</summary>
internal sealed partial class RecipeBinder
{
    /// <summary>The recipe spellings of <see cref="StructuredTarget"/>.</summary>
    internal static Choices<StructuredTarget> StructuredTargets { get; } = new(("mlp", StructuredTarget.Mlp), ("heads", StructuredTarget.Heads), ("conv", StructuredTarget.Conv));

    /// <summary>The recipe spellings of <see cref="PruneImportance"/>.</summary>
    internal static Choices<PruneImportance> Importances { get; } = new(("weight", PruneImportance.Weight), ("activation", PruneImportance.Activation));

    private PruneStep BindStructured(MappingScope s, PruneStep step)
    {
        var importance = s.Choice("importance", Importances);
        if (s.List("targets") is not { } list)
        {
            return step with { Importance = importance };
        }

        if (list.Items.Count == 0)
        {
            _report.Error("MC2033", list, "targets", "target (" + StructuredTargets.List + ")");
            return step with { Importance = importance };
        }

        var targets = ImmutableArray.CreateBuilder<StructuredTarget>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            var node = list.Items[i];
            if (!ScalarReader.TryText(node, $"targets[{i}]", _report, out var text))
            {
                continue;
            }

            if (!StructuredTargets.TryParse(text, out var target))
            {
                _report.Error("MC2070", node, text, KeySuggester.Hint(text, [.. StructuredTargets.Names]));
            }
            else if (targets.Contains(target))
            {
                _report.Error("MC2071", node, text);
            }
            else
            {
                targets.Add(target);
            }
        }

        return step with { Importance = importance, Targets = targets.Count > 0 ? targets.ToImmutable() : step.Targets };
    }

    /// <summary>
    /// Structured pruning ranks channels by activation when the model has calibration data and by weight norms
    /// otherwise, unless the recipe says which; resolved here, where the model's calibration is known, so that the
    /// step's fingerprint names the importance actually used.
    /// </summary>
    private static StepRecipe ResolveStructuredImportance(StepRecipe step, bool hasCalibration) =>
        step is PruneStep { Method: PruneMethod.Structured, Importance: null } p
            ? p with { Importance = hasCalibration ? PruneImportance.Activation : PruneImportance.Weight }
            : step;
}
