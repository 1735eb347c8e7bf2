using System.Security.Cryptography;
using System.Text;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// A digest of everything a value of a graph depends on: the nodes upstream of it (operator, attributes, input and
/// output names, in graph order) and the bytes of every constant they read. Two graphs with the same digest for a value
/// compute it the same way from the same inputs, so a teacher's activation at a layer can key that layer's
/// distillation without running the teacher, and a change to a teacher's later layer leaves earlier keys alone.
/// </summary>
internal sealed class UpstreamDigest(OnnxModel model)
{
    private readonly Dictionary<string, byte[]> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<OnnxNode, int> _order = model.Graph.Nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);

    /// <summary>The digest of <paramref name="value"/> (callable from several threads: layer keys are hashed in parallel).</summary>
    public byte[] Of(string value)
    {
        lock (_constants)
        {
            return Compute(value);
        }
    }

    private byte[] Compute(string value)
    {
        var graph = model.Graph;
        var seen = new HashSet<OnnxNode>();
        var pending = new Stack<string>([value]);
        while (pending.TryPop(out var v))
        {
            if (graph.GetProducer(v) is { } node && seen.Add(node))
            {
                foreach (var input in node.Inputs.Where(i => i.Length > 0))
                {
                    pending.Push(input);
                }
            }
        }

        var text = new StringBuilder();
        text.Append("opset=").Append(model.GetOpsetVersion(string.Empty)).Append('|').Append(value).Append('\n');
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var node in seen.OrderBy(n => _order[n]))
        {
            text.Append(node.Domain).Append(':').Append(node.OpType).Append('(').AppendJoin(',', node.Inputs).Append(")->").AppendJoin(',', node.Outputs)
                .Append('[').AppendJoin(';', node.Attributes.Select(a => a.ToString())).Append("]\n");
            foreach (var name in node.Inputs.Concat(node.Outputs))
            {
                if (Constant(name) is { } bytes)
                {
                    hash.AppendData(bytes);
                }
            }
        }

        hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        return hash.GetHashAndReset();
    }

    /// <summary>The SHA-256 of a constant's bytes (initializer or Constant node), once per name; null for a computed value.</summary>
    private byte[]? Constant(string name)
    {
        if (_constants.TryGetValue(name, out var known))
        {
            return known;
        }

        if (name.Length == 0 || !model.Graph.TryGetWeight(name, out var tensor))
        {
            return null;
        }

        return _constants[name] = SHA256.HashData(tensor.ToRawBytes());
    }
}
