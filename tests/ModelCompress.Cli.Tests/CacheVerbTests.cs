using System.Text.Json;

namespace ModelCompress.Cli.Tests;

public sealed class CacheVerbTests
{
    [Fact]
    public async Task Run_with_a_cache_prints_a_cache_line_then_stats_counts_and_clear_empties_it()
    {
        using var p = new CliProject();
        var cache = p.PathOf("cache");
        string[] run = ["run", p.Recipe, "-o", p.PathOf("out"), "--cache-dir", cache];

        var first = await CliResult.Invoke(run);

        // Without its output the run is not read back whole: the model is built again from the layer cache.
        File.Delete(p.PathOf("out/mlp.onnx"));
        var second = await CliResult.Invoke(run);
        var third = await CliResult.Invoke(run);
        var stats = await CliResult.Invoke("cache", "stats", "--cache-dir", cache);
        var json = await CliResult.Invoke("cache", "stats", "--cache-dir", cache, "--format", "json");
        // The 3 layer results, the marker, and the verification outputs of the fp32 and int8 models (a model too small to
        // cut is verified whole and its outputs cached as one segment); the memos beside them (file digests, the
        // remembered run) are not entries.
        string[] memos = ["file-digests", "runs"];
        var files = Directory.GetFiles(cache, "*", SearchOption.AllDirectories)
            .Count(f => !memos.Contains(Path.GetRelativePath(cache, f).Split(Path.DirectorySeparatorChar)[0]));
        var clear = await CliResult.Invoke("cache", "clear", "--cache-dir", cache);
        var after = await CliResult.Invoke("cache", "stats", "--cache-dir", cache);

        Assert.Equal((ExitCode.Success, ExitCode.Success), (first.Code, second.Code));
        Assert.Contains("  cache: 0 of 3 layer(s) read back, 3 computed;", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("  cache: 3 of 3 layer(s) read back, 0 computed;", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("  cache: nothing changed since the last run;", third.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, stats.Code);
        Assert.Matches(@"layer results:\s+3 entries", stats.Stdout);
        Assert.Matches(@"calibration statistics:\s+0 entries", stats.Stdout);
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(3, doc.RootElement.GetProperty("layer_entries").GetInt32());
            Assert.True(doc.RootElement.GetProperty("is_tagged").GetBoolean());
            Assert.True(doc.RootElement.GetProperty("total_bytes").GetInt64() > 0);
        }

        Assert.Equal(ExitCode.Success, clear.Code);
        // 3 layer results, the gate's 2 measurements, the step's weight hashes and weight errors, and the cache's own files.
        Assert.Equal(10, files);
        Assert.StartsWith($"cleared {cache}: 10 file(s)", clear.Stdout, StringComparison.Ordinal);
        Assert.Contains("empty (the folder does not exist)", after.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clear_on_a_folder_that_is_not_a_cache_is_MC6003_exit_5_and_deletes_nothing()
    {
        using var p = new CliProject();

        var r = await CliResult.Invoke("cache", "clear", "--cache-dir", p.PathOf("models"));

        Assert.Equal(ExitCode.CompressionFailed, r.Code);
        Assert.Contains("error MC6003: ", r.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(p.PathOf("models/model.onnx")));
        Assert.Equal(string.Empty, r.Stdout);
    }

    [Fact]
    public async Task Cache_without_a_sub_verb_is_a_usage_error()
    {
        var r = await CliResult.Invoke("cache", "purge");

        Assert.Equal(ExitCode.UsageError, r.Code);
    }
}
