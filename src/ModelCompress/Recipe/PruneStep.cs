using System.Collections.Immutable;
using ModelCompress.Recipe.Binding;

namespace ModelCompress.Recipe;

/// <summary><c>prune:</c> sets a fraction of the weights to zero.</summary>
/// <param name="Method">How weights are chosen (default magnitude).</param>
/// <param name="Sparsity">Fraction of weights removed, in (0, 1); with a pattern, the pattern's sparsity.</param>
/// <param name="Pattern">An N:M pattern, or null for unstructured pruning.</param>
/// <param name="Exclude">Nodes left dense.</param>
/// <param name="Location">Where <c>prune</c> was written.</param>
public sealed record PruneStep(
    PruneMethod Method,
    double Sparsity,
    SparsityPattern? Pattern,
    ImmutableArray<ExcludePattern> Exclude,
    SourceLocation Location) : StepRecipe(Location)
{
    /// <summary>Whether the method scores weights with calibration activations (Wanda, SparseGPT, activation-aware structured).</summary>
    public bool NeedsCalibration => Method is PruneMethod.Wanda or PruneMethod.SparseGpt
        || (Method == PruneMethod.Structured && Importance == PruneImportance.Activation);

    /// <summary>Structured pruning only: the structures to remove (default: all kinds).</summary>
    public ImmutableArray<StructuredTarget> Targets { get; init; } = [StructuredTarget.Mlp, StructuredTarget.Heads, StructuredTarget.Conv];

    /// <summary>Structured pruning only: how channels are ranked; null until the binder resolves the default.</summary>
    public PruneImportance? Importance { get; init; }

    /// <inheritdoc />
    public override string Kind => "prune";

    /// <inheritdoc />
    public override string SettingsFingerprint()
    {
        var f = new FingerprintBuilder(Kind)
            .Add("method", RecipeChoices.PruneMethods.Name(Method))
            .Add("sparsity", Sparsity)
            .Add("pattern", Pattern?.ToString())
            .AddSet("exclude", Exclude.Select(e => e.ToString()));

        // Only structured pruning has these keys; other methods keep the fingerprint (and cache keys) they always had.
        return Method == PruneMethod.Structured
            ? f.AddSet("targets", Targets.Select(t => t.ToString())).Add("importance", Importance?.ToString()).ToString()
            : f.ToString();
    }
}
