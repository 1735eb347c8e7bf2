using System.Text;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Architecture;

/// <summary>
/// The engine's namespaces depend on each other one way only. Run
/// <c>dotnet test tests/ModelCompress.Tests -c Release --filter FullyQualifiedName~Architecture --logger "console;verbosity=detailed"</c>
/// to print the graph read from the compiled assembly.
/// </summary>
public sealed class NamespaceDependencyTests(ITestOutputHelper output)
{
    private static NamespaceGraph Engine() =>
        NamespaceGraph.Read(typeof(ModelCompress.Engine.ModelCompressEngine).Assembly.Location, "ModelCompress");

    [Fact]
    public void Namespaces_have_no_cycle()
    {
        var graph = Engine();
        var text = new StringBuilder();
        foreach (var ns in graph.Namespaces)
        {
            text.AppendLine($"{ns} -> {string.Join(", ", graph.Uses(ns))}");
        }

        output.WriteLine(text.ToString());
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "Namespaces that depend on each other in a circle:\n"
            + string.Join("\n", cycles.Select(c => "  " + string.Join(" <-> ", c))) + "\n\nGraph:\n" + text);
    }
}
