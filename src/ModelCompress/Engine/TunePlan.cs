using System.Collections.Immutable;
using ModelCompress.Recipe;

namespace ModelCompress.Engine;

/// <summary>One candidate of a tuning run, with what the tuner expects of it before trying it.</summary>
/// <param name="Number">1-based position in the candidate list (the recipe's order, or the default space's).</param>
/// <param name="Label">A short description, e.g. <c>SQ auto + int8 static minmax per-channel</c>.</param>
/// <param name="Steps">The steps the candidate runs.</param>
/// <param name="ExpectedBytes">Estimated bytes of the linear layers' weights after the steps (the rest of the model is the same for every candidate).</param>
/// <param name="SpeedRank">Expected ONNX Runtime CPU speed class, 0 fastest (dynamic int8) to 4 (float).</param>
internal sealed record TunePlan(int Number, string Label, ImmutableArray<StepRecipe> Steps, long ExpectedBytes, int SpeedRank)
{
    /// <summary>The candidate's settings, step by step.</summary>
    public string Fingerprint => FingerprintOf(Steps);

    /// <summary>The settings of a step list, step by step.</summary>
    public static string FingerprintOf(ImmutableArray<StepRecipe> steps) => string.Join(" → ", steps.Select(s => s.SettingsFingerprint()));
}
