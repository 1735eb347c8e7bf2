using Mono.Cecil;
using Mono.Cecil.Cil;

namespace ModelCompress.Tests.Architecture;

/// <summary>
/// Which namespaces of an assembly use which others, read from the compiled assembly (base types, interfaces, fields,
/// properties, method signatures, attributes and every type, method or field a method body names), so that nothing a
/// text search could miss (a fully qualified name, an implicit using) escapes. Compiler-generated nested types count
/// for the namespace of the type that holds them.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly SortedDictionary<string, SortedSet<string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(string root) => Root = root;

    /// <summary>The namespace prefix whose namespaces are nodes (e.g. <c>ModelCompress</c>).</summary>
    public string Root { get; }

    /// <summary>Every namespace of the assembly under <see cref="Root"/>.</summary>
    public IEnumerable<string> Namespaces => _edges.Keys;

    /// <summary>The namespaces <paramref name="from"/> uses (itself excluded).</summary>
    public IReadOnlySet<string> Uses(string from) => _edges.TryGetValue(from, out var to) ? to : new SortedSet<string>();

    /// <summary>Reads <paramref name="assemblyPath"/>; nodes are namespaces equal to <paramref name="root"/> or below it.</summary>
    public static NamespaceGraph Read(string assemblyPath, string root)
    {
        var graph = new NamespaceGraph(root);
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            var from = NamespaceOf(type);
            if (!graph.IsNode(from))
            {
                continue;
            }

            graph.Node(from);
            foreach (var used in TypesUsedBy(type))
            {
                graph.Add(from, used);
            }
        }

        return graph;
    }

    /// <summary>A copy with one more edge (to check that <see cref="Cycles"/> finds what it should).</summary>
    public NamespaceGraph WithEdge(string from, string to)
    {
        var copy = new NamespaceGraph(Root);
        foreach (var (node, edges) in _edges)
        {
            copy._edges[node] = new SortedSet<string>(edges, StringComparer.Ordinal);
        }

        copy.Node(from);
        copy.Node(to);
        copy._edges[from].Add(to);
        return copy;
    }

    /// <summary>The strongly connected components with more than one namespace (each one a cycle), sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Uses(v))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    result.Add(component);
                }
            }
        }

        foreach (var v in _edges.Keys)
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    private bool IsNode(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal);

    private void Node(string ns)
    {
        if (!_edges.ContainsKey(ns))
        {
            _edges[ns] = new SortedSet<string>(StringComparer.Ordinal);
        }
    }

    private void Add(string from, TypeReference? used)
    {
        if (used is null)
        {
            return;
        }

        if (used is GenericInstanceType generic)
        {
            foreach (var argument in generic.GenericArguments)
            {
                Add(from, argument);
            }
        }

        var element = used.GetElementType();
        var to = NamespaceOf(element);
        if (to != from && IsNode(to) && element.Scope?.Name is { } scope && IsSameAssembly(element, scope))
        {
            _edges[from].Add(to);
        }
    }

    private static bool IsSameAssembly(TypeReference type, string scope) =>
        type is TypeDefinition || scope == type.Module.Assembly.Name.Name || scope == type.Module.Name;

    private static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    private static IEnumerable<TypeReference> TypesUsedBy(TypeDefinition type)
    {
        if (type.BaseType is not null)
        {
            yield return type.BaseType;
        }

        foreach (var i in type.Interfaces)
        {
            yield return i.InterfaceType;
        }

        foreach (var a in type.CustomAttributes)
        {
            yield return a.AttributeType;
        }

        foreach (var f in type.Fields)
        {
            yield return f.FieldType;
        }

        foreach (var p in type.Properties)
        {
            yield return p.PropertyType;
        }

        foreach (var m in type.Methods)
        {
            yield return m.ReturnType;
            foreach (var p in m.Parameters)
            {
                yield return p.ParameterType;
            }

            if (!m.HasBody)
            {
                continue;
            }

            foreach (var v in m.Body.Variables)
            {
                yield return v.VariableType;
            }

            foreach (var instruction in m.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        yield return t;
                        break;
                    case MethodReference mr:
                        yield return mr.DeclaringType;
                        yield return mr.ReturnType;
                        break;
                    case FieldReference fr:
                        yield return fr.DeclaringType;
                        yield return fr.FieldType;
                        break;
                }
            }
        }
    }
}
