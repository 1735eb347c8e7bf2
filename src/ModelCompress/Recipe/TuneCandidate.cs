using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>One explicit entry of <c>tune.candidates</c>: a list of steps written as in <c>steps:</c>.</summary>
/// <param name="Steps">The candidate's steps in the order they run (at least one).</param>
/// <param name="Location">Where the candidate's list starts.</param>
public sealed record TuneCandidate(ImmutableArray<StepRecipe> Steps, SourceLocation Location)
{
    /// <summary>The candidate's settings (each step's fingerprint, in order), for equality, labels and cache keys.</summary>
    public string Fingerprint => string.Join(" → ", Steps.Select(s => s.SettingsFingerprint()));
}
