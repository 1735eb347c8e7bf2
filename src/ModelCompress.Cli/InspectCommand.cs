using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Cli;

/// <summary><c>inspect &lt;model.onnx&gt;</c>: operators, parameters, sizes and the layers a quantize step would change.</summary>
public static class InspectCommand
{
    /// <summary>The verb's options.</summary>
    /// <param name="Model">The .onnx file.</param>
    /// <param name="Format"><c>text</c> (default) or <c>json</c>.</param>
    public sealed record Options(string Model, string Format = "text");

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Declares the verb and its options.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The .onnx model." };
        var format = new Option<string>("--format") { Description = "Output format: text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("inspect", "Show a model's operators, parameters, sizes and quantizable layers.") { model, format };
        command.SetAction((parse, ct) => RunCommand.Invoke(parse, ct, () => new Options(parse.GetValue(model)!, parse.GetValue(format)!), RunAsync));
        return command;
    }

    /// <summary>Runs the verb.</summary>
    public static async Task<ExitCode> RunAsync(Options options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            var info = await Task.Run(() => Describe(options.Model), ct).ConfigureAwait(false);
            if (options.Format == "json")
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(info, Json)).ConfigureAwait(false);
            }
            else
            {
                WriteText(info, stdout);
            }

            return ExitCode.Success;
        }
        catch (Exception ex)
        {
            return CliErrors.Handle(ex, stderr);
        }
    }

    internal static ModelSummary Describe(string path)
    {
        var model = OnnxModel.Load(path);
        var graph = model.Graph;
        // Exporters such as spox keep weights in Constant nodes (inside If branches too): they are parameters as well.
        var tensors = graph.AllGraphsRecursive().SelectMany(g => g.Initializers.Values)
            .Concat(graph.AllNodesRecursive().Where(n => n is { OpType: "Constant", IsDefaultDomain: true })
                .SelectMany(n => n.Attributes).Where(a => a.Name == "value" && a.Tensor is not null).Select(a => a.Tensor!))
            .ToList();
        var layers = ModelCompressEngine.FindLayers(model)
            .Select(l => new LayerSummary(l.Name, l.Node.OpType, l.WeightName, [.. l.Weight.Dims], l.Weight.ElementCount, l.InSubgraph))
            .Concat(ModelCompressEngine.FindRecurrentWeights(model)
                .Select(r => new LayerSummary(r.Name, r.Node.OpType, r.WeightName, [.. r.Weight.Dims], r.Weight.ElementCount, r.InSubgraph)))
            .ToList();
        return new ModelSummary(
            Path.GetFullPath(path),
            new FileInfo(path).Length,
            model.IrVersion,
            model.OpsetImports.ToDictionary(o => o.Key.Length == 0 ? "ai.onnx" : o.Key, o => o.Value),
            model.ProducerName,
            [.. graph.Inputs.Select(Value)],
            [.. graph.Outputs.Select(Value)],
            new SortedDictionary<string, int>(
                graph.AllNodesRecursive().GroupBy(n => n.IsDefaultDomain ? n.OpType : n.Domain + "." + n.OpType)
                    .ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal),
            graph.AllNodesRecursive().Count(),
            tensors.Sum(t => t.ElementCount),
            tensors.Sum(t => t.ByteLength),
            layers)
        {
            Modes = [.. ModelCompressEngine.ModeChanges(model).Select(m => new ModeSummary(
                m.Mode switch { QuantizeMode.WeightOnly => "weight_only", QuantizeMode.Dynamic => "dynamic", _ => "static" }, m.Layers, m.WeightBytes, m.NeedsCalibration))],
        };
    }

    private static string Value(OnnxValueInfo v) =>
        $"{v.Name}: {v.ElementType}[{string.Join(", ", v.Shape?.Select(d => d.ToString()) ?? ["?"])}]";

    private static void WriteText(ModelSummary s, TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine(s.Path);
        o.WriteLine(string.Create(c, $"  file {s.FileBytes:N0} bytes, IR {s.IrVersion}, opsets {string.Join(", ", s.Opsets.Select(p => $"{p.Key}:{p.Value}"))}, producer '{s.Producer}'"));
        o.WriteLine(string.Create(c, $"  {s.Parameters:N0} parameters in initializers and Constant nodes ({s.ParameterBytes:N0} bytes), {s.Nodes} nodes"));
        o.WriteLine("  inputs:  " + string.Join("; ", s.Inputs));
        o.WriteLine("  outputs: " + string.Join("; ", s.Outputs));
        o.WriteLine("  operators: " + string.Join(", ", s.Operators.Select(p => string.Create(c, $"{p.Key} {p.Value}"))));
        o.WriteLine("  int8 quantize modes would change:");
        foreach (var m in s.Modes)
        {
            o.WriteLine(string.Create(c, $"    {m.Mode,-12} {m.Layers,4} layer(s), {m.WeightBytes,12:N0} bytes of float weights{(m.NeedsCalibration ? " (needs calibration data)" : string.Empty)}"));
        }

        o.WriteLine(string.Create(c, $"  quantizable layers ({s.QuantizableLayers.Count}):"));
        foreach (var l in s.QuantizableLayers)
        {
            o.WriteLine(string.Create(c, $"    {l.Name} ({l.Op}) weight {l.Weight} [{string.Join(", ", l.Shape)}] {l.Parameters:N0} params{(l.InSubgraph ? " (in a subgraph)" : string.Empty)}"));
        }
    }
}
