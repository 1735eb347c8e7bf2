using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Onnx;

/// <summary>
/// Structural checks of a model or graph, reported as coded diagnostics rather than thrown: reads of undefined values
/// (MC1020), values produced twice (MC1021), cycles (MC1022), operator domains without an opset import (MC1023),
/// outputs nobody produces (MC1024), a missing default opset (MC1025). Subgraphs are checked with the values of their
/// enclosing graphs in scope. Operator schemas (arity, attribute types) are ONNX Runtime's job and are not checked.
/// </summary>
public static class OnnxValidator
{
    /// <summary>Checks <paramref name="model"/>'s graphs and its opset imports.</summary>
    public static IReadOnlyList<Diagnostic> Validate(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<Diagnostic>();
        var file = model.FilePath;
        var usesDefault = model.Graph.AllNodesRecursive().Any(n => n.IsDefaultDomain);
        var defaultMissing = usesDefault && model.GetOpsetVersion(string.Empty) is null;
        if (defaultMissing)
        {
            result.Add(Error("MC1025", file, null));
        }

        CheckGraph(model.Graph, new HashSet<string>(StringComparer.Ordinal), result, file);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in model.Graph.AllNodesRecursive())
        {
            if (n.IsDefaultDomain ? defaultMissing : model.GetOpsetVersion(n.Domain) is not null)
            {
                continue;
            }

            if (!n.IsDefaultDomain && reported.Add(n.Domain))
            {
                result.Add(Error("MC1023", file, n.Name, Label(n), n.OpType, n.Domain));
            }
        }

        return result;
    }

    /// <summary>Checks one graph (and its subgraphs) without model-level opset checks.</summary>
    public static IReadOnlyList<Diagnostic> Validate(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var result = new List<Diagnostic>();
        var outer = new HashSet<string>(StringComparer.Ordinal);
        for (var g = graph.ParentGraph; g is not null; g = g.ParentGraph)
        {
            AddDefined(g, outer);
        }

        CheckGraph(graph, outer, result, null);
        return result;
    }

    private static void CheckGraph(OnnxGraph graph, HashSet<string> outer, List<Diagnostic> result, string? file)
    {
        var defined = new HashSet<string>(outer, StringComparer.Ordinal);
        defined.UnionWith(graph.Inputs.Select(i => i.Name));
        defined.UnionWith(graph.Initializers.Keys);
        defined.UnionWith(graph.SparseInitializerNames);

        var producers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
        {
            foreach (var o in n.Outputs.Where(o => o.Length > 0))
            {
                if (!producers.TryGetValue(o, out var list))
                {
                    producers[o] = list = [];
                }

                list.Add(n);
            }
        }

        foreach (var (value, list) in producers)
        {
            var local = graph.Inputs.Any(i => i.Name == value) || graph.Initializers.ContainsKey(value);
            if (list.Count > 1 || local)
            {
                var by = string.Join(", ", list.Select(Label)) + (local ? ", and a graph input or initializer" : string.Empty);
                result.Add(Error("MC1021", file, list[0].Name, value, by));
            }
        }

        defined.UnionWith(producers.Keys);
        foreach (var n in graph.Nodes)
        {
            foreach (var i in n.Inputs.Where(i => i.Length > 0 && !defined.Contains(i)))
            {
                result.Add(Error("MC1020", file, n.Name, Label(n), n.OpType, i));
            }
        }

        foreach (var o in graph.Outputs.Where(o => !defined.Contains(o.Name)))
        {
            result.Add(Error("MC1024", file, null, o.Name));
        }

        try
        {
            graph.TopologicalOrder();
        }
        catch (ModelCompressException e) when (e.Code == "MC1022")
        {
            result.Add(e.Diagnostic with { File = file });
        }

        foreach (var n in graph.Nodes)
        {
            foreach (var sub in n.Subgraphs)
            {
                CheckGraph(sub, defined, result, file);
            }
        }
    }

    private static void AddDefined(OnnxGraph g, HashSet<string> into)
    {
        into.UnionWith(g.Inputs.Select(i => i.Name));
        into.UnionWith(g.Initializers.Keys);
        into.UnionWith(g.SparseInitializerNames);
        into.UnionWith(g.Nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0));
    }

    private static string Label(OnnxNode n) => string.IsNullOrEmpty(n.Name) ? $"<{n.OpType}>" : n.Name;

    private static Diagnostic Error(string code, string? file, string? node, params object?[] args) =>
        MessageCatalog.Onnx.Create(code, DiagnosticSeverity.Error, file, 0, 0, args) with { Node = node };
}
