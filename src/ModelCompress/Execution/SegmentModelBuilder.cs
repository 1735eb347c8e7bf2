using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Internal;

namespace ModelCompress.Execution;

/// <summary>
/// Writes one segment as a model of its own: its nodes (cloned), the initializers they read (shared, immutable),
/// the model's inputs it reads, the carried values as inputs, and as outputs what later segments read plus what the
/// caller observes. The opset imports and IR version are the model's.
/// </summary>
internal static class SegmentModelBuilder
{
    private static readonly ConditionalWeakTable<OnnxTensor, byte[]> TensorHashes = [];

    /// <summary>
    /// The segment as a model; carried inputs are typed from <paramref name="carriedTypes"/> (rank known, every axis
    /// free), or left untyped when it is null (the form whose bytes <see cref="ContentHash"/> hashes).
    /// </summary>
    public static OnnxModel Build(
        SegmentPlan plan, ModelSegment segment, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, (TensorElementType Type, int Rank)>? carriedTypes) =>
        Build(plan, segment, outputs, carriedTypes, weights: null);

    private static OnnxModel Build(
        SegmentPlan plan,
        ModelSegment segment,
        IReadOnlyList<string> outputs,
        IReadOnlyDictionary<string, (TensorElementType Type, int Rank)>? carriedTypes,
        List<OnnxTensor>? weights)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(outputs);
        var source = plan.Model;
        var from = source.Graph;
        var graph = new OnnxGraph($"{from.Name}.segment{segment.Index}");
        foreach (var name in segment.GraphInputs)
        {
            graph.AddInput(from.Inputs.First(i => i.Name == name).Clone());
        }

        foreach (var name in segment.CarriedInputs)
        {
            graph.AddInput(carriedTypes is null
                ? new OnnxValueInfo(name, TensorDataType.Undefined)
                : new OnnxValueInfo(name, ToOnnx(carriedTypes[name].Type), Enumerable.Repeat(OnnxDimension.Unknown, carriedTypes[name].Rank)));
        }

        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in segment.Nodes)
        {
            graph.AddNode(node.Clone());
            foreach (var input in node.Inputs)
            {
                if (from.Initializers.TryGetValue(input, out var tensor) && added.Add(input))
                {
                    if (weights is null)
                    {
                        graph.AddInitializer(tensor);
                    }
                    else
                    {
                        weights.Add(tensor);
                    }
                }
            }
        }

        foreach (var name in outputs)
        {
            graph.AddOutput(name);
        }

        var model = new OnnxModel(graph, source.IrVersion);
        foreach (var (domain, version) in source.OpsetImports)
        {
            model.SetOpsetImport(domain, version);
        }

        return model;
    }

    /// <summary>
    /// SHA-256 of the segment as a model with <paramref name="outputs"/> exposed and its carried inputs untyped: the
    /// bytes of the model without its weights, then each weight's name and content hash (element type, dims and
    /// data) in name order. A weight's content hash is computed once per tensor object (tensors are immutable and
    /// shared between a model, its clones and the steps that leave them alone), so hashing the segments of the next
    /// step or of the verification does not read the unchanged weights again.
    /// </summary>
    public static byte[] ContentHash(SegmentPlan plan, ModelSegment segment, IReadOnlyList<string> outputs)
    {
        var weights = new List<OnnxTensor>();
        var model = Build(plan, segment, outputs, null, weights);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = new HashingStream(hash))
        {
            model.Save(stream);
        }

        foreach (var tensor in weights.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var name = System.Text.Encoding.UTF8.GetBytes(tensor.Name);
            hash.AppendData(BitConverter.GetBytes(name.Length));
            hash.AppendData(name);
            hash.AppendData(TensorHash(tensor));
        }

        return hash.GetHashAndReset();
    }

    /// <summary>A tensor's content hash (element type, dims, data), computed once per tensor object.</summary>
    public static byte[] TensorHash(OnnxTensor tensor) => TensorHashes.GetValue(tensor, t => Convert.FromHexString(t.ComputeDataHash()));

    private static TensorDataType ToOnnx(TensorElementType type) => (TensorDataType)(int)type;
}
