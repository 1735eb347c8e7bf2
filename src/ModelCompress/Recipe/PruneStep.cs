using System.Collections.Immutable;

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
    /// <summary>The default SparseGPT dampening, λ = percdamp · mean diag(H).</summary>
    public const double DefaultPercDamp = 0.01;

    /// <summary>The default SparseGPT mask block (columns whose mask is chosen together; the paper's B_s = 128).</summary>
    public const int DefaultBlockSize = 128;

    /// <summary>SparseGPT's dampening fraction (<c>percdamp:</c>, default 0.01).</summary>
    public double PercDamp { get; init; } = DefaultPercDamp;

    /// <summary>SparseGPT's mask block for unstructured sparsity (<c>block_size:</c>, default 128).</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Whether the method scores weights with calibration activations (Wanda, SparseGPT, PST, activation-aware structured).</summary>
    public bool NeedsCalibration => Method is PruneMethod.Wanda or PruneMethod.SparseGpt or PruneMethod.Pst
        || (Method == PruneMethod.Structured && Importance == PruneImportance.Activation);

    /// <summary>Per layer (default) or one global magnitude threshold (<c>scope:</c>).</summary>
    public PruneScope Scope { get; init; } = PruneScope.Layer;

    /// <summary>The PST fit's settings with <c>method: pst</c>; null otherwise.</summary>
    public PstSettings? Pst { get; init; }

    /// <summary>Structured pruning only: the structures to remove (default: all kinds).</summary>
    public ImmutableArray<StructuredTarget> Targets { get; init; } = [StructuredTarget.Mlp, StructuredTarget.Heads, StructuredTarget.Conv];

    /// <summary>Structured pruning only: how channels are ranked; null until the binder resolves the default.</summary>
    public PruneImportance? Importance { get; init; }

    /// <summary>
    /// <c>storage:</c> as written, or null (packed, the default). It shapes only how the output file stores the final
    /// weights, after every step, so it is not part of <see cref="SettingsFingerprint"/>: the per-layer cache serves
    /// packed and dense runs alike.
    /// </summary>
    public SparseStorage? Storage { get; init; }

    /// <inheritdoc />
    public override string Kind => "prune";

    /// <inheritdoc />
    /// <remarks>Settings added later (scope, PST's) enter only when not at their default, so older keys stay valid.</remarks>
    public override string SettingsFingerprint()
    {
        var b = new FingerprintBuilder(Kind)
            .Add("method", RecipeChoices.PruneMethods.Name(Method))
            .Add("sparsity", Sparsity)
            .Add("pattern", Pattern?.ToString())
            .AddSet("exclude", Exclude.Select(e => e.ToString()));
        if (Scope != PruneScope.Layer)
        {
            b.Add("scope", RecipeChoices.PruneScopes.Name(Scope));
        }

        if (Pst is { } pst)
        {
            b.Add("rank", pst.Rank).Add("steps", pst.Steps).Add("learning_rate", pst.LearningRate);
        }

        if (Method == PruneMethod.SparseGpt)
        {
            b.Add("percdamp", PercDamp).Add("block_size", BlockSize);
        }

        if (Method == PruneMethod.Structured)
        {
            b.AddSet("targets", Targets.Select(t => t.ToString())).Add("importance", Importance?.ToString());
        }

        return b.ToString();
    }
}
