using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Recipe;

/// <summary>docs/recipe.md describes every key and every allowed word the loader knows.</summary>
public sealed class RecipeDocTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "docs", "recipe.md"));

    [Fact]
    public void Every_key_the_loader_knows_is_documented()
    {
        var keys = RecipeBinder.KnownKeys.SelectMany(section => section.Value).Distinct().ToList();

        Assert.True(keys.Count > 40, "the key lists look empty");
        var missing = keys.Where(k => !Doc.Contains($"`{k}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "keys missing from docs/recipe.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_allowed_value_is_documented()
    {
        var missing = RecipeChoices.AllNames.Distinct().Where(v => !Doc.Contains($"`{v}`", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "values missing from docs/recipe.md: " + string.Join(", ", missing));
    }
}
