namespace ModelCompress.Tests.Recipe;

/// <summary>
/// The base of the recipe test classes: each test gets a fresh <see cref="RecipeTestProject"/> (the files recipes point
/// at, and recipe loading), deleted after it.
/// </summary>
public abstract class RecipeTests : IDisposable
{
    /// <summary>The test's project folder.</summary>
    private protected RecipeTestProject Project { get; } = new();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes the project folder.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Project.Dispose();
        }
    }
}
