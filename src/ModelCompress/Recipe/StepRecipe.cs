namespace ModelCompress.Recipe;

/// <summary>
/// One entry of a model's <c>steps:</c> list. Each subclass holds one step's validated settings, with defaults
/// filled in, and the location of the step's name in the recipe.
/// </summary>
/// <param name="Location">Where the step's name (e.g. <c>quantize</c>) was written.</param>
public abstract record StepRecipe(SourceLocation Location)
{
    /// <summary>The step's name as written in the recipe (<c>smoothquant</c>, <c>quantize</c>, ...).</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// A canonical, deterministic string of the step's effective settings (defaults included, key order and
    /// list order of exclusions normalized), for cache keys. Locations are not part of it.
    /// </summary>
    public abstract string SettingsFingerprint();
}
