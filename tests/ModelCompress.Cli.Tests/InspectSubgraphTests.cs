using System.Text.Json;
using ModelCompress.Testing;

namespace ModelCompress.Cli.Tests;

/// <summary><c>inspect</c> on models whose weights are Constant nodes inside If branches, and on LSTM weights.</summary>
public sealed class InspectSubgraphTests
{
    [Fact]
    public async Task Inspect_counts_constant_node_parameters_and_lists_the_layers_and_lstm_weights_inside_if_branches()
    {
        using var dir = new TempDirectory();
        var path = dir.File("silero-style.onnx");
        var model = SileroStyleModel.Build();
        model.Save(path);
        var expected = model.Graph.AllNodesRecursive().Where(n => n.OpType == "Constant").Sum(n => n.Attributes[0].Tensor!.ElementCount);

        var json = await CliResult.Of((o, e) => InspectCommand.RunAsync(new InspectCommand.Options(path, "json"), o, e, default));
        var text = await CliResult.Of((o, e) => InspectCommand.RunAsync(new InspectCommand.Options(path), o, e, default));

        Assert.Equal(ExitCode.Success, json.Code);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(expected, doc.RootElement.GetProperty("parameters").GetInt64());
        Assert.True(expected > 500_000, $"{expected} parameters");
        var layers = doc.RootElement.GetProperty("quantizable_layers").EnumerateArray().ToList();
        Assert.Equal(16, layers.Count);
        Assert.All(layers, l => Assert.True(l.GetProperty("in_subgraph").GetBoolean()));
        Assert.Equal(4, layers.Count(l => l.GetProperty("op").GetString() == "LSTM"));
        Assert.Contains("quantizable layers (16):", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("b16k/decoder/lstm/LSTM:R (LSTM) weight b16k/decoder/lstm/R [1, 512, 128] 65,536 params (in a subgraph)", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_lists_the_52_weights_of_silero_vad_legacy_that_sit_in_its_if_branches()
    {
        var r = await CliResult.Of((o, e) => InspectCommand.RunAsync(new InspectCommand.Options(Fixtures.Require("models/silero-vad-legacy.onnx")), o, e, default));

        Assert.Equal(ExitCode.Success, r.Code);
        Assert.Contains("quantizable layers (52):", r.Stdout, StringComparison.Ordinal);
    }
}
