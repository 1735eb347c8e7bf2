namespace ModelCompress.Recipe;

/// <summary>The prune step's <c>storage:</c> key: one choice for the whole model.</summary>
internal sealed partial class RecipeBinder
{
    /// <summary>
    /// Storage applies to the model's final weights, not to one step's, so two prune steps that spell out different
    /// choices contradict each other: MC2220 at the later one.
    /// </summary>
    private void CheckStorageAgreement(IList<StepRecipe> steps, List<YNode> nodes)
    {
        PruneStep? first = null;
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is not PruneStep { Storage: { } storage } prune)
            {
                continue;
            }

            if (first is null)
            {
                first = prune;
            }
            else if (first.Storage != storage)
            {
                _report.Error("MC2220", nodes[i], RecipeChoices.SparseStorages.Name(storage),
                    RecipeChoices.SparseStorages.Name(first.Storage!.Value), first.Location.Line);
            }
        }
    }
}
