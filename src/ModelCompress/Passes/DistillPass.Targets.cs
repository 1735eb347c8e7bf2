using ModelCompress.Analysis;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// Which student layers <see cref="DistillPass"/> re-fits and against which teacher layer. Float layers (and the two
/// MatMuls of a low-rank pair) come from <see cref="GraphAnalyzer"/>; a layer whose weight an earlier step turned into
/// a DequantizeLinear of integers or a clustered codebook is read from that weight's producer. Teacher layers are
/// matched by node name, else by weight name.
/// </summary>
public sealed partial class DistillPass
{
    private List<DistillTarget> FindTargets(OnnxModel student, OnnxModel teacher, PassContext context)
    {
        var teacherLayers = GraphAnalyzer.Analyze(teacher).Layers.Where(l => l.Kind != LinearLayerKind.Conv || IsUnfoldableConv(l)).ToList();
        var byNode = teacherLayers.Where(l => l.Node.Name.Length > 0).GroupBy(l => l.Node.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var byWeight = teacherLayers.GroupBy(l => l.WeightName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var graph = student.Graph;
        var analyzed = GraphAnalyzer.Analyze(student).Layers;
        var floatLayers = analyzed.Where(l => l.Kind != LinearLayerKind.Conv).ToDictionary(l => l.Node);
        var convLayers = analyzed.Where(IsUnfoldableConv).ToDictionary(l => l.Node);

        LinearLayer Teacher(OnnxNode node, string weightName, int k, int n)
        {
            var name = node.Name.Length > 0 ? node.Name : node.Outputs[0];
            if (!(node.Name.Length > 0 && byNode.TryGetValue(node.Name, out var t)) && !byWeight.TryGetValue(weightName, out t))
            {
                throw context.Error("MC4100", context.ModelName, name, TeacherLabel);
            }

            if (t.InFeatures != k || t.OutFeatures != n)
            {
                throw context.Error("MC4101", context.ModelName, name, $"{k}x{n}", TeacherLabel, $"{t.InFeatures}x{t.OutFeatures}");
            }

            return t;
        }

        // A low-rank pair: the second MatMul reads the first's output, which nothing else reads, and the teacher's
        // layer of the second's name is as wide as the first's input and the second's output.
        var pairs = new Dictionary<OnnxNode, (LinearLayer U, LinearLayer Teacher)>();
        foreach (var layer in floatLayers.Values)
        {
            if (graph.GetProducer(layer.InputName) is { OpType: "MatMul" } first && floatLayers.TryGetValue(first, out var u)
                && graph.GetConsumers(first.Outputs[0]).Count == 1 && u.OutFeatures == layer.InFeatures
                && byNode.TryGetValue(layer.Name, out var pairTeacher) && pairTeacher.InFeatures == u.InFeatures && pairTeacher.OutFeatures == layer.OutFeatures
                && u.OutFeatures < Math.Min(u.InFeatures, layer.OutFeatures))
            {
                pairs[layer.Node] = (u, pairTeacher);
            }
        }

        var lowRankFirst = pairs.Values.Select(p => p.U.Node).ToHashSet();
        var targets = new List<DistillTarget>();
        foreach (var node in graph.TopologicalOrder())
        {
            if (node.OpType == "Conv" && node.IsDefaultDomain)
            {
                ConvTargetOf(graph, teacher.Graph, node, convLayers, Teacher, targets, context);
                continue;
            }

            if (node.OpType is not ("MatMul" or "Gemm") || !node.IsDefaultDomain || lowRankFirst.Contains(node))
            {
                continue;
            }

            if (floatLayers.TryGetValue(node, out var layer))
            {
                if (pairs.TryGetValue(node, out var pair))
                {
                    targets.Add(LowRank(graph, teacher.Graph, pair.U, layer, pair.Teacher));
                    continue;
                }

                var t = Teacher(node, layer.WeightName, layer.InFeatures, layer.OutFeatures);
                var w = layer.WeightKN();
                var tw = t.WeightKN();
                if (w.AsSpan().SequenceEqual(tw))
                {
                    continue; // not compressed: nothing to recover
                }

                targets.Add(Float(graph, teacher.Graph, layer, t, w, tw));
                continue;
            }

            if (node.Inputs.Count < 2 || graph.GetProducer(node.Inputs[1]) is not { } producer)
            {
                continue;
            }

            var transposed = node.OpType == "Gemm" && node.GetInt("transB", 0) != 0;
            if (producer is { OpType: "DequantizeLinear" } && ReadQuantized(graph, producer, transposed) is { } q)
            {
                var t = Teacher(node, node.Inputs[1], q.K, q.N);
                targets.Add(Quantized(graph, teacher.Graph, node, producer, q, t, transposed));
            }
            else if (SharedWeightGraph.TryRead(graph, node.Inputs[1], out var codebookName, out var clustered)
                && graph.GetShape(node.Inputs[1]) is null or { Count: 2 } && ClusterDims(graph, node, clustered, transposed) is { } dims)
            {
                var t = Teacher(node, node.Inputs[1], dims.K, dims.N);
                targets.Add(Clustered(graph, teacher.Graph, node, codebookName, clustered, dims.K, dims.N, transposed, t));
            }
        }

        return targets;
    }

    private DistillTarget Float(OnnxGraph graph, OnnxGraph teacher, LinearLayer layer, LinearLayer t, float[] w, float[] tw) =>
        WithBias(graph, teacher, layer.Node, layer.OutFeatures, t, new DistillTarget
        {
            Kind = DistillKind.Float, Node = layer.Node, Input = layer.InputName, TeacherInput = t.InputName, K = layer.InFeatures,
            N = layer.OutFeatures, Transposed = layer.TransposedWeight, Weight = w, ParameterName = layer.WeightName, TeacherWeight = tw,
        });

    private DistillTarget LowRank(OnnxGraph graph, OnnxGraph teacher, LinearLayer u, LinearLayer v, LinearLayer t)
    {
        var a = u.WeightKN();
        var b = v.WeightKN();
        var (k, r, n) = (u.InFeatures, u.OutFeatures, v.OutFeatures);
        var w = new float[k * n];
        for (var i = 0; i < k; i++)
        {
            for (var s = 0; s < r; s++)
            {
                var ais = a[(i * r) + s];
                for (var j = 0; j < n; j++)
                {
                    w[(i * n) + j] += ais * b[(s * n) + j];
                }
            }
        }

        return WithBias(graph, teacher, v.Node, n, t, new DistillTarget
        {
            Kind = DistillKind.LowRank, Node = v.Node, Input = u.InputName, TeacherInput = t.InputName, K = k, N = n, Weight = w,
            A = a, B = b, Rank = r, ParameterName = u.WeightName, ParameterReader = u.Node, TeacherWeight = t.WeightKN(),
        });
    }

    /// <summary>The same target with the student's bias (read where the layer adds it) and the teacher's.</summary>
    private static DistillTarget WithBias(OnnxGraph graph, OnnxGraph teacher, OnnxNode node, int n, LinearLayer t, DistillTarget target)
    {
        string? biasName = null;
        OnnxNode? reader = null;
        var scale = 1f;
        if (node.OpType is "Gemm" or "Conv" && node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
        {
            (biasName, reader, scale) = (node.Inputs[2], node, node.GetFloat("beta", 1f));
        }
        else if (node.OpType == "MatMul" && graph.GetConsumers(node.Outputs[0]) is [{ OpType: "Add" } add] && !graph.IsGraphOutput(node.Outputs[0]))
        {
            var other = add.Inputs[0] == node.Outputs[0] ? add.Inputs[1] : add.Inputs[0];
            (biasName, reader) = (other, add);
        }

        float[]? bias = null;
        if (biasName is not null && graph.Initializers.TryGetValue(biasName, out var tensor) && tensor.DataType == TensorDataType.Float
            && tensor.ElementCount == n && (reader!.OpType == "Gemm" || tensor.Dims.Length == 1 || tensor.Dims.All(d => d == 1 || d == n)))
        {
            bias = tensor.ToFloatArray();
            for (var j = 0; j < n; j++)
            {
                bias[j] *= scale;
            }
        }

        return target with
        {
            TeacherBias = t.BiasValues(teacher),
            Bias = bias,
            BiasName = bias is null ? null : biasName,
            BiasReader = bias is null ? null : reader,
            BiasScale = bias is null ? 1f : scale,
        };
    }
}
