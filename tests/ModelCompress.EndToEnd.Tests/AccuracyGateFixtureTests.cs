using System.Text.Json;
using System.Text.RegularExpressions;
using ModelCompress.Build.TestInfrastructure;
using ModelCompress.Onnx;
using ModelCompress.Testing;

namespace ModelCompress.EndToEnd.Tests;

/// <summary>
/// The accuracy gate on a real model, as a user meets it: the ONNX Model Zoo's MNIST CNN (fixture mnist-8), int8
/// weights, verified on 200 MNIST test images with their labels against a cosine bound full int8 cannot meet.
/// <c>dotnet build</c> fails with <c>error MC5001</c> naming the worst layers and the <c>exclude:</c> that fixes it,
/// and <c>dotnet model-compress run</c> exits with AccuracyBudgetExceeded; the exclusion taken from the message (or
/// from report.json), or <c>on_regression: fallback</c>, makes both pass. Nothing about the model is written here:
/// layer names come from the model file and the fix from the tool's own output.
/// </summary>
[Collection(PackedCollection.Name)]
public sealed partial class AccuracyGateFixtureTests(PackedPackages packages)
{
    /// <summary><c>ExitCode.AccuracyBudgetExceeded</c> of ModelCompress.Cli (never renumbered).</summary>
    private const int AccuracyBudgetExceeded = 6;

    /// <summary>The cosine threshold's line in <see cref="Recipe"/>; the quantize step is line 7.</summary>
    private const int CosineLine = 14;

    private static string Recipe(string quantizeExtra = "", string verifyExtra = "") => $$"""
        version: 1
        allow_outside: true
        models:
          - name: mnist
            source: {{Fixtures.Require("models/mnist-8.onnx")}}
            steps:
              - quantize: { mode: weight_only{{quantizeExtra}} }
            verify:
              data: {{Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz")}}
              labels: {{Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}}
              samples: 200
              thresholds:
                - { metric: accuracy, max_drop: 0 }
                - { metric: cosine, min: 0.99999 }
        {{verifyExtra}}
        """;

    // compression.yaml(14,11): error MC5001: ... Worst int8 layers by SNR: A (43.6 dB), B (...). Keep the worst in
    // float with exclude: ["A"] in the quantize step (line 7), ...
    [GeneratedRegex(@"compression\.yaml\((?<line>\d+),\d+\): error MC5001: Accuracy budget exceeded for model 'mnist': cosine is [0-9.]+, "
        + @"the recipe allows >= 0\.99999\. Worst int8 layers by SNR: (?<layers>[^.]+(?:\.\d[^.]*)*)\. "
        + @"Keep the worst in float with exclude: (?<exclude>\[[^\]]*\]) in the quantize step \(line (?<step>\d+)\)")]
    private static partial Regex BuildError();

    [GeneratedRegex(@"(?<name>[^,(]+?) \((?<db>[0-9.]+) dB\)")]
    private static partial Regex NamedLayer();

    /// <summary>The layers int8 weights apply to: MatMul/Gemm/Conv nodes of the fp32 fixture.</summary>
    private static string[] LinearLayers() =>
        [.. OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx")).Graph.Nodes
            .Where(n => n.OpType is "MatMul" or "Gemm" or "Conv").Select(n => n.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void Dotnet_build_fails_with_MC5001_naming_the_worst_layers_and_passes_with_the_suggested_exclude_or_fallback()
    {
        using var app = new ConsumerProject(packages, Recipe());

        var failing = app.Build(restore: true);

        Assert.NotEqual(0, failing.ExitCode);
        var error = BuildError().Match(failing.Output);
        Assert.True(error.Success, failing.Output);
        Assert.Equal(CosineLine, int.Parse(error.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("7", error.Groups["step"].Value);
        var named = NamedLayer().Matches(error.Groups["layers"].Value).Select(m => m.Groups["name"].Value.Trim()).ToArray();
        Assert.Equal(LinearLayers(), named.Order(StringComparer.Ordinal)); // three layers, each a real node of the model
        var exclude = error.Groups["exclude"].Value;
        Assert.Equal($"[\"{named[0]}\"]", exclude);                       // the fix keeps the worst-named one in float
        Assert.Empty(app.Manifests());                                     // nothing is embedded from a failed gate

        // The suggested line, pasted into the recipe.
        app.Write("compression.yaml", Recipe(quantizeExtra: ", exclude: " + exclude));
        var fixedBuild = app.Build().ShouldSucceed();
        Assert.DoesNotContain("MC5001", fixedBuild.Output, StringComparison.Ordinal);
        var model = OnnxModel.FromBytes(ManifestResources.Read(app.Assembly, "mnist.onnx"));
        AssertInFloat(model, named[0]);
        Assert.All(named[1..], n => AssertInt8(model, n));

        // Or let the gate search: on_regression: fallback keeps the same layer in float and says so.
        app.Write("compression.yaml", Recipe(verifyExtra: "      on_regression: fallback"));
        var fallback = app.Build().ShouldSucceed();
        Assert.Contains("MC5100", fallback.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error MC5", fallback.Output, StringComparison.Ordinal);
        var fellBack = OnnxModel.FromBytes(ManifestResources.Read(app.Assembly, "mnist.onnx"));
        AssertInFloat(fellBack, named[0]);
    }

    [Fact]
    public void Dotnet_model_compress_run_exits_with_AccuracyBudgetExceeded_and_succeeds_with_the_exclude_from_report_json()
    {
        using var app = new ConsumerProject(packages, Recipe());
        app.DotNet(["new", "tool-manifest"]).ShouldSucceed();
        app.DotNet(["tool", "install", "ModelCompress.Cli", "--version", packages.Version]).ShouldSucceed();

        var failing = app.DotNet(["model-compress", "run", "compression.yaml", "--output", "failed"]);

        Assert.True(failing.ExitCode == AccuracyBudgetExceeded, $"exit code {failing.ExitCode}:\n{failing.Output}");
        Assert.Matches($@"compression\.yaml\({CosineLine},\d+\): error MC5001: .*Worst int8 layers by SNR: ", failing.Output);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(app.Dir, "failed", "report.json")));
        var model = report.RootElement.GetProperty("models")[0];
        var verification = model.GetProperty("verification");
        Assert.False(verification.GetProperty("passed").GetBoolean());
        var layers = verification.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(LinearLayers(), layers.Select(l => l.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        var snr = layers.Select(l => l.GetProperty("snr_db").GetDouble()).ToArray();
        Assert.Equal(snr.Order(), snr);                                     // worst (lowest SNR) first
        Assert.True(File.Exists(Path.Combine(app.Dir, "failed", "report.html")));

        // The fix, from the report's own diagnostic text.
        var diagnostic = report.RootElement.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetString()!).Single(d => d.Contains("MC5001", StringComparison.Ordinal));
        var exclude = BuildError().Match(diagnostic).Groups["exclude"].Value;
        Assert.Equal($"[\"{layers[0].GetProperty("name").GetString()}\"]", exclude);
        app.Write("compression.yaml", Recipe(quantizeExtra: ", exclude: " + exclude));
        app.DotNet(["model-compress", "run", "compression.yaml", "--output", "fixed"]).ShouldSucceed();
        AssertPassed(Path.Combine(app.Dir, "fixed", "report.json"));

        app.Write("compression.yaml", Recipe(verifyExtra: "      on_regression: fallback"));
        var fallback = app.DotNet(["model-compress", "run", "compression.yaml", "--output", "fallback"]).ShouldSucceed();
        Assert.Contains("MC5100", fallback.Output, StringComparison.Ordinal);
        AssertPassed(Path.Combine(app.Dir, "fallback", "report.json"));
    }

    private static void AssertPassed(string reportJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(reportJson));
        Assert.True(doc.RootElement.GetProperty("passed").GetBoolean(), File.ReadAllText(reportJson));
        Assert.True(doc.RootElement.GetProperty("models")[0].GetProperty("verification").GetProperty("passed").GetBoolean());
    }

    /// <summary>No input of the layer comes from DequantizeLinear: its weight stayed float.</summary>
    private static void AssertInFloat(OnnxModel model, string layer)
    {
        var node = model.Graph.Nodes.Single(n => n.Name == layer);
        Assert.DoesNotContain(node.Inputs, i => Dequantized(model.Graph, i, 0));
    }

    private static void AssertInt8(OnnxModel model, string layer)
    {
        var node = model.Graph.Nodes.Single(n => n.Name == layer);
        Assert.Contains(node.Inputs, i => Dequantized(model.Graph, i, 0));
    }

    /// <summary>Whether <paramref name="value"/> is made by DequantizeLinear, directly or through constant reshapes/casts.</summary>
    private static bool Dequantized(OnnxGraph graph, string value, int depth) =>
        graph.GetProducer(value) is { } p && (p.OpType == "DequantizeLinear"
            || (depth < 4 && p.OpType is "Reshape" or "Cast" or "Mul" && p.Inputs.Any(i => Dequantized(graph, i, depth + 1))));
}
