using ModelCompress.Reports;

namespace ModelCompress.Cli.Tests;

/// <summary>One cache default: run and verify use obj/modelcompress-cache beside the recipe unless told otherwise.</summary>
public sealed class CacheDefaultTests
{
    private static RunTimings Timings(CliProject p) => ReportJson.Parse(File.ReadAllBytes(p.PathOf("compressed/report.json"))).Timings;

    [Fact]
    public async Task A_second_run_with_no_flags_reads_every_layer_back_from_obj_beside_the_recipe()
    {
        using var p = new CliProject();
        var folder = p.PathOf(Path.Combine("obj", "modelcompress-cache"));

        var first = await CliResult.Invoke("run", p.Recipe);
        var firstTimings = Timings(p);

        // Without its output the run is not read back whole: the model is built again from the layer cache.
        File.Delete(p.PathOf("compressed/mlp.onnx"));
        var second = await CliResult.Invoke("run", p.Recipe);
        var secondTimings = Timings(p);

        Assert.Equal((ExitCode.Success, ExitCode.Success), (first.Code, second.Code));
        Assert.Equal((0, 3), (firstTimings.CacheHits, firstTimings.CacheMisses));
        Assert.Equal((3, 0), (secondTimings.CacheHits, secondTimings.CacheMisses));
        Assert.Equal(folder, secondTimings.CacheDirectory);
        Assert.Contains("cache: " + folder + "\n", second.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "CACHEDIR.TAG")));

        // cache stats, run from the recipe's folder's default, sees what run wrote.
        var stats = await CliResult.Invoke("cache", "stats", "--cache-dir", folder);
        Assert.Matches(@"layer results:\s+3 entries", stats.Stdout);
    }

    [Fact]
    public async Task No_cache_turns_it_off_and_cache_dir_overrides_the_default()
    {
        using var p = new CliProject();

        var off = await CliResult.Invoke("run", p.Recipe, "--no-cache");
        var offTimings = Timings(p);
        var elsewhere = await CliResult.Invoke("run", p.Recipe, "--cache-dir", p.PathOf("elsewhere"));
        var elsewhereTimings = Timings(p);

        Assert.Equal((ExitCode.Success, ExitCode.Success), (off.Code, elsewhere.Code));
        Assert.Null(offTimings.CacheDirectory);
        Assert.Contains("cache: off (--no-cache)", off.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(p.PathOf("obj")));
        Assert.Equal(p.PathOf("elsewhere"), elsewhereTimings.CacheDirectory);
        Assert.Equal(3, elsewhereTimings.CacheMisses);
        Assert.False(Directory.Exists(p.PathOf("obj")));
    }

    [Fact]
    public async Task Verify_uses_the_same_default_folder_and_says_so()
    {
        using var p = new CliProject();
        await CliResult.Invoke("run", p.Recipe);

        var verify = await CliResult.Invoke("verify", p.Recipe);

        Assert.Equal(ExitCode.Success, verify.Code);
        Assert.Contains("cache: " + p.PathOf(Path.Combine("obj", "modelcompress-cache")), verify.Stdout, StringComparison.Ordinal);
    }
}
