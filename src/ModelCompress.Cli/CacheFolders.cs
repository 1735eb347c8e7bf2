namespace ModelCompress.Cli;

/// <summary>
/// The one default cache folder of the tool: <c>obj/modelcompress-cache</c> beside the recipe, which is where the
/// MSBuild package keeps it for a project whose recipe sits beside the project file, and where <c>cache stats|clear</c>
/// look when run from that folder. <c>run</c> and <c>verify</c> use it unless told otherwise, so a second run of the same
/// recipe reads every unchanged layer back with no flags.
/// </summary>
internal static class CacheFolders
{
    /// <summary>
    /// The cache folder a verb uses: none with <paramref name="noCache"/>, else <paramref name="explicitFolder"/>
    /// (<c>--cache-dir</c>), else the default beside <paramref name="recipePath"/>. The recipe's <c>cache.enabled</c>
    /// still decides whether the engine uses it.
    /// </summary>
    public static string? Resolve(string recipePath, string? explicitFolder, bool noCache)
    {
        if (noCache)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(explicitFolder))
        {
            return Path.GetFullPath(explicitFolder);
        }

        var recipeFolder = Path.GetDirectoryName(Path.GetFullPath(recipePath))!;
        return Path.GetFullPath(Path.Combine(recipeFolder, Verbs.CacheCommand.DefaultCacheDirectory));
    }

    /// <summary>
    /// The shared remote cache: <c>--remote-cache</c>, else <c>$MODELCOMPRESS_REMOTE_CACHE</c>, else none. Only the URL
    /// is taken here; the engine reads the credential from the environment itself.
    /// </summary>
    public static Cache.RemoteCacheOptions? Remote(string? option)
    {
        var url = !string.IsNullOrWhiteSpace(option) ? option : Environment.GetEnvironmentVariable(Cache.RemoteCacheOptions.UrlVariable);
        return string.IsNullOrWhiteSpace(url) ? null : new Cache.RemoteCacheOptions(url.Trim());
    }

    /// <summary>The console line naming the folder a run used (or why it used none).</summary>
    public static string Describe(string? folder, bool recipeEnables) => (folder, recipeEnables) switch
    {
        (_, false) => "cache: off (the recipe sets cache.enabled: false)",
        (null, _) => "cache: off (--no-cache)",
        _ => "cache: " + folder,
    };
}
