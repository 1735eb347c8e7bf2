using System.Text;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Architecture;

/// <summary>
/// The engine's namespaces depend on each other one way only, in the order of <see cref="Layers"/>. The graph is read
/// from the compiled assembly (<see cref="NamespaceGraph"/>); to print it, run
/// <c>dotnet test tests/ModelCompress.Tests -c Release --filter FullyQualifiedName~Architecture --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class NamespaceDependencyTests(ITestOutputHelper output)
{
    /// <summary>Bottom first: each namespace may use only the ones before it.</summary>
    public static readonly string[] Layers =
    [
        "Diagnostics", "Recipe", "Text", "Data", "Analysis", "Calibration", "Quantization", "Pruning", "Cache", "Execution", "Passes",
        "Verification", "Reports", "Reports.Html", "Engine", "Importers",
    ];

    private static NamespaceGraph Engine() =>
        NamespaceGraph.Read(typeof(ModelCompress.Engine.ModelCompressEngine).Assembly.Location, "ModelCompress");

    [Fact]
    public void Namespaces_have_no_cycle()
    {
        var graph = Engine();
        var text = Describe(graph);
        output.WriteLine(text);
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "Namespaces that depend on each other in a circle:\n"
            + string.Join("\n", cycles.Select(c => "  " + string.Join(" <-> ", c))) + "\n\nGraph:\n" + text);
    }

    [Fact]
    public void Namespaces_use_only_the_layers_below_them()
    {
        var graph = Engine();
        var rank = Layers.Select((name, i) => ("ModelCompress." + name, i)).ToDictionary(p => p.Item1, p => p.i, StringComparer.Ordinal);
        var unknown = graph.Namespaces.Where(ns => !rank.ContainsKey(ns)).ToList();
        Assert.True(unknown.Count == 0, "Namespaces missing from the layer list: " + string.Join(", ", unknown));
        var upward = graph.Namespaces
            .SelectMany(from => graph.Uses(from).Where(to => rank[to] >= rank[from]).Select(to => $"{from} -> {to}"))
            .ToList();
        Assert.True(upward.Count == 0, "Dependencies that point up the layers:\n  " + string.Join("\n  ", upward) + "\n\nGraph:\n" + Describe(graph));
    }

    [Fact]
    public void The_check_finds_a_cycle_when_there_is_one()
    {
        // The test assembly's own namespaces: this one uses the root test namespace's helpers and nothing uses it
        // back, so an artificial edge back must show up as a cycle.
        var graph = NamespaceGraph.Read(typeof(NamespaceDependencyTests).Assembly.Location, "ModelCompress.Tests");
        Assert.Contains("ModelCompress.Tests.Architecture", graph.Namespaces);
        Assert.True(graph.WithEdge("ModelCompress.Tests.Cache", "ModelCompress.Tests.Architecture")
            .WithEdge("ModelCompress.Tests.Architecture", "ModelCompress.Tests.Cache").Cycles().Count == 1);
    }

    private static string Describe(NamespaceGraph graph)
    {
        var text = new StringBuilder();
        foreach (var ns in graph.Namespaces)
        {
            text.AppendLine($"{ns} -> {string.Join(", ", graph.Uses(ns))}");
        }

        return text.ToString();
    }
}
