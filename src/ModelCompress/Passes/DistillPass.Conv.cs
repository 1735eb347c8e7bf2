using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;

namespace ModelCompress.Passes;

/// <summary>
/// Distillation of float (pruned) Conv kernels: a Conv is a linear layer on its unfolded input patches
/// (<see cref="ConvPatches"/>), so the captured rows are patches and each group's output channels get the same
/// closed-form masked ridge fit as a MatMul's columns, on that group's patch columns only.
/// </summary>
public sealed partial class DistillPass
{
    /// <summary>
    /// Adds the target of Conv <paramref name="node"/> when its float kernel differs from the teacher's; a Conv whose
    /// kernel an earlier step stored as integers is left as it is and MC4220 names it.
    /// </summary>
    private static void ConvTargetOf(
        OnnxGraph graph, OnnxGraph teacher, OnnxNode node, Dictionary<OnnxNode, LinearLayer> convLayers, Func<OnnxNode, string, int, int, LinearLayer> teacherOf,
        List<DistillTarget> targets, PassContext context)
    {
        if (convLayers.TryGetValue(node, out var layer))
        {
            var t = teacherOf(node, layer.WeightName, layer.InFeatures, layer.OutFeatures);
            if (t.Kind != LinearLayerKind.Conv || !t.Weight.Dims.SequenceEqual(layer.Weight.Dims))
            {
                throw context.Error("MC4101", context.ModelName, layer.Name, string.Join("x", layer.Weight.Dims), "the teacher", string.Join("x", t.Weight.Dims));
            }

            if (!layer.Weight.AsSpan<float>().SequenceEqual(t.Weight.AsSpan<float>()))
            {
                targets.Add(ConvTarget(graph, teacher, layer, t));
            }
        }
        else if (node.Inputs.Count > 1 && graph.GetProducer(node.Inputs[1]) is { OpType: "DequantizeLinear" })
        {
            context.Report("MC4220", Onnx.Diagnostics.DiagnosticSeverity.Info, node.Name.Length > 0 ? node.Name : node.Outputs[0], context.ModelName);
        }
    }

    /// <summary>The target of a float Conv layer that an earlier step changed (its kernel differs from the teacher's).</summary>
    private static DistillTarget ConvTarget(OnnxGraph graph, OnnxGraph teacher, LinearLayer layer, LinearLayer t)
    {
        var patches = ConvPatches.Of(layer);
        return WithBias(graph, teacher, layer.Node, layer.OutFeatures, t, new DistillTarget
        {
            Kind = DistillKind.Float, Node = layer.Node, Input = ConvPatches.ViewName(layer.Node), TeacherInput = ConvPatches.ViewName(t.Node),
            K = patches.GroupColumns * patches.Groups, N = layer.OutFeatures, Weight = layer.Weight.ToFloatArray(), ParameterName = layer.WeightName,
            TeacherWeight = t.Weight.ToFloatArray(), Patches = patches,
        });
    }

    /// <summary>Whether <paramref name="layer"/> is a Conv whose patches calibration can unfold (1-D or 2-D).</summary>
    private static bool IsUnfoldableConv(LinearLayer layer) => layer.Kind == LinearLayerKind.Conv && layer.Weight.Rank is 3 or 4;

    /// <summary>
    /// Fits each group of a Conv: X = the student's patch columns of the group [R, C/g·kh·kw], Y = the teacher's output
    /// channels of the group on its own patches, W = the group's kernel rows as [C/g·kh·kw, M/g] (the kernel's stored
    /// order is the patch column order). Pruned entries stay zero; a group keeps its weights where the fit does not
    /// lower its error on the captured rows.
    /// </summary>
    private static DistilledLayer FitConv(float[] student, float[] teacher, int rows, DistillTarget t)
    {
        var patches = t.Patches!;
        var (k, groups, n) = (patches.GroupColumns, patches.Groups, t.N);
        var perGroup = n / groups;
        var weight = (float[])t.Weight.Clone();
        var bias = t.Bias is null ? null : (float[])t.Bias.Clone();
        var (before, after) = (0.0, 0.0);
        for (var g = 0; g < groups; g++)
        {
            var xs = Columns(student, rows, t.K, g * k, k);
            var xt = Columns(teacher, rows, t.K, g * k, k);
            var wt = KernelRows(t.TeacherWeight, g * perGroup, perGroup, k);
            var y = LayerFitProblem.Products(xt, LayerFitProblem.Transpose(wt, k, perGroup), rows, perGroup, k);
            if (t.TeacherBias is { } tb)
            {
                for (var r = 0; r < rows; r++)
                {
                    for (var j = 0; j < perGroup; j++)
                    {
                        y[(r * perGroup) + j] += tb[(g * perGroup) + j];
                    }
                }
            }

            var p = new LayerFitProblem(xs, y, rows, k, perGroup);
            var w0 = KernelRows(t.Weight, g * perGroup, perGroup, k);
            var b0 = bias?[(g * perGroup)..((g + 1) * perGroup)];
            var e0 = p.MeanSquaredError(w0, b0);
            var mask = w0.Any(v => v == 0f) ? w0.Select(v => v != 0f).ToArray() : null;
            var (w1, b1) = LayerFit.Ridge(p, w0, b0, mask);
            var e1 = p.MeanSquaredError(w1, b1);
            before += e0 * perGroup / n;
            if (e1 >= e0)
            {
                after += e0 * perGroup / n;
                continue;
            }

            after += e1 * perGroup / n;
            for (var m = 0; m < perGroup; m++)
            {
                for (var i = 0; i < k; i++)
                {
                    weight[(((g * perGroup) + m) * k) + i] = w1[(i * perGroup) + m];
                }

                if (bias is not null && b1 is not null)
                {
                    bias[(g * perGroup) + m] = b1[m];
                }
            }
        }

        return new DistilledLayer(weight, [], bias, before, after);
    }

    /// <summary>Columns [from, from + count) of row-major [rows, width] values.</summary>
    private static float[] Columns(float[] values, int rows, int width, int from, int count)
    {
        var result = new float[rows * count];
        for (var r = 0; r < rows; r++)
        {
            values.AsSpan((r * width) + from, count).CopyTo(result.AsSpan(r * count, count));
        }

        return result;
    }

    /// <summary>Kernel rows [first, first + count) of a stored kernel [M, k] as a [k, count] matrix.</summary>
    private static float[] KernelRows(float[] kernel, int first, int count, int k)
    {
        var result = new float[k * count];
        for (var m = 0; m < count; m++)
        {
            for (var i = 0; i < k; i++)
            {
                result[(i * count) + m] = kernel[((first + m) * k) + i];
            }
        }

        return result;
    }
}
