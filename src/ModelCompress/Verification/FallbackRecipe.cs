using ModelCompress.Recipe;

namespace ModelCompress.Verification;

/// <summary>The recipe of a fallback attempt: the model's quantize steps with more layers excluded by name.</summary>
public static class FallbackRecipe
{
    /// <summary>The model's first quantize step (the one whose <c>exclude:</c> a fix extends), or null.</summary>
    public static QuantizeStep? QuantizeStepOf(ModelRecipe model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Steps.OfType<QuantizeStep>().FirstOrDefault();
    }

    /// <summary>
    /// <paramref name="model"/> with <paramref name="layers"/> added to every quantize step's <c>exclude:</c>, located
    /// at <paramref name="at"/> (the verify section that asked for the fallback).
    /// </summary>
    public static ModelRecipe WithFloatLayers(ModelRecipe model, IReadOnlyList<string> layers, SourceLocation at)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(at);
        var steps = model.Steps.Select(s => s is QuantizeStep q
            ? q with { Exclude = q.Exclude.AddRange(layers.Select(l => new ExcludePattern(ExcludeKind.Name, l, at))) }
            : s);
        return model with { Steps = [.. steps] };
    }
}
