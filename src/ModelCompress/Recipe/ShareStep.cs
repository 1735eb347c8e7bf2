using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary><c>share:</c> weight sharing by clustering or low-rank factorization.</summary>
/// <param name="Method">cluster or lowrank.</param>
/// <param name="Clusters">Shared values per layer for cluster (default 16); null for lowrank.</param>
/// <param name="Rank">Fixed rank for lowrank, or null.</param>
/// <param name="Energy">For lowrank without a rank: keep the smallest rank whose singular values hold this fraction of
/// Σσ² (default 0.99); null otherwise.</param>
/// <param name="Exclude">Nodes left as they are.</param>
/// <param name="Location">Where <c>share</c> was written.</param>
public sealed record ShareStep(
    ShareMethod Method,
    int? Clusters,
    int? Rank,
    double? Energy,
    ImmutableArray<ExcludePattern> Exclude,
    SourceLocation Location) : StepRecipe(Location)
{
    /// <summary>The default cluster count.</summary>
    public const int DefaultClusters = 16;

    /// <summary>The default retained energy for lowrank.</summary>
    public const double DefaultEnergy = 0.99;

    /// <inheritdoc />
    public override string Kind => "share";

    /// <inheritdoc />
    public override string SettingsFingerprint() =>
        new FingerprintBuilder(Kind)
            .Add("method", RecipeChoices.ShareMethods.Name(Method))
            .Add("clusters", Clusters)
            .Add("rank", Rank)
            .Add("energy", Energy)
            .AddSet("exclude", Exclude.Select(e => e.ToString()))
            .ToString();
}
