namespace ModelCompress.Testing;

/// <summary>
/// Finds the shared real-model fixtures: <c>$MODELCOMPRESS_FIXTURES</c>, else <c>../shared/fixtures</c> beside the
/// repository root. A missing fixture fails the test loudly; it never turns into a silent pass.
/// </summary>
public static class Fixtures
{
    /// <summary>The environment variable that overrides the fixtures folder.</summary>
    public const string EnvironmentVariable = "MODELCOMPRESS_FIXTURES";

    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The fixtures folder (it must exist).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The full path of a fixture file, which must exist.</summary>
    public static string Require(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException(
                $"Required fixture '{relativePath}' is missing under '{Root}'. " +
                $"Put ../shared/fixtures beside the repository or set {EnvironmentVariable}.",
                path);
        }

        return path;
    }

    /// <summary>The repository root (the folder holding ModelCompress.Build.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var root = !string.IsNullOrWhiteSpace(fromEnv)
            ? Path.GetFullPath(fromEnv)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "fixtures"));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException(
                $"The fixtures folder '{root}' does not exist. Put ../shared/fixtures beside the repository " +
                $"or set {EnvironmentVariable} to its path.");
        }

        return root;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelCompress.Build.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("ModelCompress.Build.sln not found above " + AppContext.BaseDirectory);
    }
}
