
namespace ModelCompress.Recipe;

/// <summary>The prune step's scope and PST settings.</summary>
internal sealed partial class RecipeBinder
{
    /// <summary>
    /// <c>scope: global</c> ranks plain |W| over every layer; scores that include activations (Wanda, PST, SparseGPT)
    /// are only comparable within one layer's output row, and an N:M pattern is by definition local, so both are MC2040.
    /// </summary>
    private PruneScope BindPruneScope(MappingScope s, PruneMethod method, SparsityPattern? pattern)
    {
        var scope = s.Choice("scope", RecipeChoices.PruneScopes) ?? PruneScope.Layer;
        if (scope != PruneScope.Global || s.ValueOf("scope") is not YNode node)
        {
            return scope;
        }

        if (pattern is not null)
        {
            _report.Error("MC2040", node, $"the pattern '{pattern}' keeps N of every M weights inside each group");
            return PruneScope.Layer;
        }

        if (method is not PruneMethod.Magnitude)
        {
            _report.Error("MC2040", node, $"'method: {RecipeChoices.PruneMethods.Name(method)}' ranks weights within each layer");
            return PruneScope.Layer;
        }

        return scope;
    }

    /// <summary>The PST keys: only with <c>method: pst</c> (MC2017 otherwise), each within its range.</summary>
    private PstSettings? BindPst(MappingScope s, PruneMethod method)
    {
        if (method != PruneMethod.Pst)
        {
            foreach (var key in new[] { "rank", "steps", "learning_rate" })
            {
                s.NotApplicable(key, "to this prune method, only to 'method: pst'");
            }

            return null;
        }

        var rank = s.Integer("rank", new NumberRange(1, 64)) ?? PstSettings.DefaultRank;
        var steps = s.Integer("steps", new NumberRange(1, 10_000)) ?? PstSettings.DefaultSteps;
        var rate = s.Number("learning_rate", new NumberRange(0, 1, MinOpen: true)) ?? PstSettings.DefaultLearningRate;
        return new PstSettings(rank, steps, rate);
    }
}
