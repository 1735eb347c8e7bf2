using ModelCompress.Cache;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Passes;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Reliability;

/// <summary>
/// Values derived from a model that are not a layer's work (dynamic int8's embedding-table plans): kept per model
/// digest, read back on a rebuild, and computed again when the digest differs or what comes back does not decode.
/// </summary>
public sealed class ModelDerivedMemoTests
{
    private const string Dynamic = "      - quantize: { mode: dynamic }";

    [Fact]
    public void A_value_is_computed_once_per_model_digest_and_name()
    {
        using var p = TestProject.Mlp(steps: Dynamic);
        var cache = new DirectoryLayerCache(p.PathOf("cache"));
        var pass = PassFactory.Create(p.LoadRecipe().Models[0].Steps[0], "m", new ListDiagnosticSink());
        var computed = 0;
        byte[] Compute() => [(byte)++computed];

        var memo = ModelDerivedMemo.For(cache, new byte[32], pass, "v1")!;
        Assert.Equal([1], memo("table", Compute));
        Assert.Equal([1], memo("table", Compute));
        Assert.Equal([2], memo("other", Compute));
        Assert.Equal([3], ModelDerivedMemo.For(cache, Enumerable.Repeat((byte)1, 32).ToArray(), pass, "v1")!("table", Compute));
        Assert.Equal([4], ModelDerivedMemo.For(cache, new byte[32], pass, "v2")!("table", Compute));
        Assert.Null(ModelDerivedMemo.For(null, new byte[32], pass, "v1"));
        Assert.Null(ModelDerivedMemo.For(cache, null, pass, "v1"));
    }

    [Fact]
    public void Dynamic_int8_reads_its_embedding_table_plan_back_and_recomputes_one_that_does_not_decode()
    {
        var fixture = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
        using var p = TestProject.Mlp(steps: Dynamic);
        var step = p.LoadRecipe().Models[0].Steps[0];
        var stored = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] Keep(string name, Func<byte[]> compute) => stored.TryGetValue(name, out var v) ? v : stored[name] = compute();

        var (plain, plainRows) = Run(fixture, step, null);
        var (first, firstRows) = Run(fixture, step, Keep);
        Assert.NotEmpty(stored);
        var (second, secondRows) = Run(fixture, step, (name, _) => stored[name]);
        var (damaged, damagedRows) = Run(fixture, step, (_, _) => [1, 2, 3]);

        Assert.Equal(plain, first);
        Assert.Equal(plain, second);
        Assert.Equal(plain, damaged);
        Assert.Contains(plainRows, r => r.Row.Op == "Gather");
        Assert.Equal(plainRows, firstRows);
        Assert.Equal(plainRows, secondRows);
        Assert.Equal(plainRows, damagedRows);
    }

    private static (byte[] Model, List<(LayerReport Row, string Shape)> Rows) Run(string path, StepRecipe step, Func<string, Func<byte[]>, byte[]>? memo)
    {
        var onnx = OnnxModel.Load(path);
        var sink = new ListDiagnosticSink();
        var context = new PassContext("m", step.Location, sink) { ModelDerived = memo };
        var report = new PassRunner(null, EngineInfo.Version).Run(step, PassFactory.Create(step, "m", sink), onnx, context, null,
            _ => throw new InvalidOperationException("no calibration"), CancellationToken.None);
        // Rows compared by value: the shape list is compared as text.
        return (onnx.ToBytes(), [.. report.Layers.Select(r => (r with { Shape = [] }, string.Join(",", r.Shape)))]);
    }
}
