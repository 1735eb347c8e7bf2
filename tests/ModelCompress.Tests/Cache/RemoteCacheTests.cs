using System.Net;
using System.Net.Sockets;
using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Reports;

namespace ModelCompress.Tests.Cache;

/// <summary>
/// The shared remote cache against Azurite on the real stories260K model: machine A fills its local folder and the
/// store, machine B with an empty local folder reads everything from the store, and a store that is down, slow or
/// returns damaged entries only costs speed (a warning), never bytes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RemoteCacheTests(AzuriteFixture azurite)
{
    private const string SmoothQuantSteps = "      - smoothquant: { alpha: auto }\n      - quantize: { mode: static }";
    private const int Groups = 21;
    private const int Layers = 36;

    private static CompressResult Run(StoriesCacheProject p, string output, string? cache, RemoteCacheOptions? remote, ListDiagnosticSink? sink = null) =>
        ModelCompressEngine.Compress(
            p.LoadRecipe(),
            new CompressOptions(p.PathOf(output)) { CacheDirectory = cache is null ? null : p.PathOf(cache), RemoteCache = remote },
            sink ?? new ListDiagnosticSink(),
            CancellationToken.None);

    private static byte[] Model(StoriesCacheProject p, string output) => File.ReadAllBytes(p.PathOf(output + "/stories.onnx"));

    private static List<CacheLookup> Work(CompressResult r) =>
        [.. CacheScenarioTests.CacheOf(r).Lookups.Where(l => l.Kind is "layer" or "calibration")];

    [Fact]
    public void Machine_b_with_an_empty_local_folder_reads_every_layer_and_calibration_result_from_the_store_and_writes_identical_bytes()
    {
        using var p = new StoriesCacheProject(steps: SmoothQuantSteps);
        var url = azurite.NewContainer();
        var plain = Run(p, "plain", cache: null, remote: null);
        var sinkA = new ListDiagnosticSink();
        var a = Run(p, "a", "cache-a", azurite.Options(url), sinkA);
        var sinkB = new ListDiagnosticSink();
        var b = Run(p, "b", "cache-b", azurite.Options(url), sinkB);

        // A computed everything and uploaded it after its outputs were written.
        Assert.Equal(Groups + Layers + 2, Work(a).Count(l => !l.Hit));
        Assert.Equal(0, CacheScenarioTests.CacheOf(a).RemoteHits);
        var uploaded = Assert.Single(sinkA.Items, d => d.Code == "MC6104");
        Assert.Equal(DiagnosticSeverity.Info, uploaded.Severity);
        var blobs = azurite.Container(url).GetBlobs().Select(x => x.Name).ToList();
        Assert.Equal(Groups + Layers, blobs.Count(n => n.StartsWith("layers/", StringComparison.Ordinal)));
        Assert.Contains(blobs, n => n.StartsWith("calibration/", StringComparison.Ordinal));
        Assert.Contains(blobs, n => n.StartsWith("segments/", StringComparison.Ordinal)); // verification's results travel
        Assert.DoesNotContain(blobs, n => n.StartsWith("activations/", StringComparison.Ordinal)); // the large ones do not

        // B: every layer result and both calibrations are remote hits; nothing is computed or uploaded.
        Assert.Equal(Groups + Layers + 2, Work(b).Count);
        Assert.All(Work(b), l => Assert.True(l is { Hit: true, Remote: true }, $"{l.Step} {l.Kind} {l.Layer}"));
        Assert.Equal(Groups + Layers + 2, CacheScenarioTests.CacheOf(b).RemoteHits);
        Assert.DoesNotContain(sinkB.Items, d => d.Code.StartsWith("MC6", StringComparison.Ordinal));
        Assert.All(CacheScenarioTests.CacheOf(b).Lookups.Where(l => l.Kind == "verification"), l => Assert.Equal(0, l.SegmentsRun)); // no ONNX Runtime for the gate either

        // Identical bytes to a run without any cache, and B's local folder now holds verified copies.
        Assert.Equal(Model(p, "plain"), Model(p, "a"));
        Assert.Equal(Model(p, "plain"), Model(p, "b"));
        Assert.Equal(CacheScenarioTests.Deterministic(plain.Report), CacheScenarioTests.Deterministic(b.Report));
        Assert.Equal(Groups + Layers, new DirectoryLayerCache(p.PathOf("cache-b")).GetStatistics().LayerEntries);
        Assert.Contains("\"remote\": true", File.ReadAllText(p.PathOf("b/report.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_remote_entry_is_MC6102_never_used_and_its_layer_is_computed_locally_with_the_same_bytes()
    {
        using var p = new StoriesCacheProject();
        var url = azurite.NewContainer();
        Run(p, "a", "cache-a", azurite.Options(url));
        var container = azurite.Container(url);
        var victim = container.GetBlobs().Select(x => x.Name).First(n => n.StartsWith("layers/", StringComparison.Ordinal));
        var bytes = container.GetBlobClient(victim).DownloadContent().Value.Content.ToArray();
        bytes[^1] ^= 0x40; // one flipped payload bit: length and header intact, checksum not
        container.GetBlobClient(victim).Upload(BinaryData.FromBytes(bytes), overwrite: true);

        var sink = new ListDiagnosticSink();
        var b = Run(p, "b", "cache-b", azurite.Options(url), sink);

        var warning = Assert.Single(sink.Items, d => d.Code == "MC6102");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("checksum mismatch", warning.Message, StringComparison.Ordinal);
        Assert.Equal((Layers - 1, 1), (CacheScenarioTests.CacheOf(b).LayerHits, CacheScenarioTests.CacheOf(b).LayerMisses));
        Assert.Equal(Model(p, "a"), Model(p, "b"));
    }

    [Fact]
    public void A_store_that_is_down_or_never_answers_is_one_MC6101_and_the_run_gives_the_bytes_of_a_local_run()
    {
        using var p = new StoriesCacheProject();
        var local = Run(p, "local", "cache-local", remote: null);
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts connections and never answers
        silent.Start();
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        var closedPort = ClosedPort();

        foreach (var (name, url) in new[]
        {
            ("down", $"http://127.0.0.1:{closedPort}/devstoreaccount1/cache"),
            ("slow", $"http://127.0.0.1:{silentPort}/devstoreaccount1/cache"),
        })
        {
            var sink = new ListDiagnosticSink();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = Run(p, name, "cache-" + name, azurite.Options(url) with { Timeout = TimeSpan.FromSeconds(1) }, sink);

            Assert.Single(sink.Items, d => d.Code == "MC6101" && d.Severity == DiagnosticSeverity.Warning);
            Assert.Single(sink.Items, d => d.Code == "MC6103"); // the write-behind upload failed too, as a warning
            Assert.Equal((0, Layers), (CacheScenarioTests.CacheOf(r).LayerHits, CacheScenarioTests.CacheOf(r).LayerMisses));
            Assert.Equal(Model(p, "local"), Model(p, name));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{name}: {clock.Elapsed}"); // one timeout, not one per layer
        }

        Assert.NotNull(local);
    }

    [Fact]
    public void No_credential_appears_in_any_message_output_or_cache_file()
    {
        using var p = new StoriesCacheProject();
        var url = azurite.NewContainer();
        const string Marker = "MARKERSECRET7Q";
        var key = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Marker + "0000")); // a well-formed but wrong key
        var environments = new (string Name, Func<string, string?> Env)[]
        {
            ("sas", AzuriteFixture.Env(RemoteCacheOptions.SasVariable, $"?sv=2025-01-05&sp=rcw&sr=c&sig={Marker}")),
            ("key", AzuriteFixture.Env(RemoteCacheOptions.ConnectionStringVariable, $"AccountName=devstoreaccount1;AccountKey={key}")),
            ("broken", AzuriteFixture.Env(RemoteCacheOptions.ConnectionStringVariable, $"AccountName=devstoreaccount1;AccountKey={Marker}!")),
        };
        var sink = new ListDiagnosticSink();
        foreach (var (name, env) in environments)
        {
            Run(p, name, "cache-" + name, new RemoteCacheOptions(url) { ReadEnvironment = env }, sink);
        }

        // A SAS in the URL itself is refused (MC6100) without echoing it.
        Run(p, "in-url", "cache-in-url", new RemoteCacheOptions(url + $"?sv=2025-01-05&sig={Marker}"), sink);

        Assert.Equal(2, sink.Items.Count(d => d.Code == "MC6101")); // the store refused the wrong credentials
        Assert.Equal(2, sink.Items.Count(d => d.Code == "MC6100")); // a malformed key, a SAS in the URL
        Assert.All(sink.Items, d => Assert.DoesNotContain(Marker, d.ToCanonicalString(), StringComparison.Ordinal));
        Assert.All(sink.Items, d => Assert.DoesNotContain(key, d.ToCanonicalString(), StringComparison.Ordinal));
        foreach (var file in Directory.EnumerateFiles(p.Root, "*", SearchOption.AllDirectories))
        {
            var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain(Marker, text, StringComparison.Ordinal);
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when disposed
    }
}
