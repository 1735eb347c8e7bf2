namespace ModelCompress.Recipe;

/// <summary>How <see cref="RecipeLoader"/> resolves and checks a recipe.</summary>
public sealed record RecipeLoadOptions
{
    /// <summary>The defaults: the recipe's folder is the project folder, and referenced files must exist.</summary>
    public static RecipeLoadOptions Default { get; } = new();

    /// <summary>
    /// The folder that recipe paths may not leave (unless the recipe sets <c>allow_outside: true</c>); null means the
    /// recipe's own folder. The build task passes the project's folder, so a recipe in <c>ml/</c> may use <c>../data</c>.
    /// </summary>
    public string? ProjectDirectory { get; init; }

    /// <summary>Whether referenced files (models, data, tokenizers, labels) must exist; true for every real run.</summary>
    public bool CheckFilesExist { get; init; } = true;
}
