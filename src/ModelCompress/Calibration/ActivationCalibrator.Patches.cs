using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Diagnostics;

namespace ModelCompress.Calibration;

/// <summary>Statistics of a Conv's unfolded input patches (<see cref="ConvPatches"/>).</summary>
public static partial class ActivationCalibrator
{
    /// <summary>
    /// Folds one sample's Conv input into the statistics of its patch view: every output position of every image is
    /// one row of groups × C/g·kh·kw patch values (im2col with the Conv's pads, strides and dilations; padding reads
    /// 0), folded like a MatMul input's rows — per-column ranges and Σx², captured rows, and H = XᵀX per group. Only
    /// this sample's patches are held.
    /// </summary>
    internal static void FoldPatches(Dictionary<string, TensorStatistics> result, CalibrationRequest request, ConvPatches patches, OrtValue value, int sampleCount)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementDataType != TensorElementType.Float)
        {
            throw EngineDiagnostics.Fail("MC3104", null, request.Source, info.ElementDataType);
        }

        var shape = info.Shape;
        var geometry = ConvGeometry.TryCreate(patches.Node, shape, patches.WeightDims, out var why)
            ?? throw EngineDiagnostics.Fail("MC3840", null, NodeName(patches), request.Source, string.Join("x", shape),
                string.Join("x", patches.WeightDims), why);
        var k = geometry.PatchSize;
        var groups = geometry.Groups;
        var width = groups * k;
        if (!result.TryGetValue(request.Name, out var stats))
        {
            stats = new TensorStatistics(request, width);
            result[request.Name] = stats;
        }

        var data = value.GetTensorDataAsSpan<float>();
        var images = (int)shape[0];
        var positions = geometry.OutH * geometry.OutW;
        if (images == 0 || positions == 0)
        {
            return;
        }

        var imageSize = geometry.Channels * geometry.Height * geometry.Width;
        var rows = new float[checked(images * positions * width)];
        var group = new float[positions * k];
        for (var n = 0; n < images; n++)
        {
            for (var g = 0; g < groups; g++)
            {
                geometry.Im2Col(data.Slice(n * imageSize, imageSize), g, group);
                stats.GroupHessians?[g].Add(group);
                for (var p = 0; p < positions; p++)
                {
                    group.AsSpan(p * k, k).CopyTo(rows.AsSpan((((n * positions) + p) * width) + (g * k)));
                }
            }
        }

        stats.AddChannels(rows, 1);
        stats.Samples++;
        stats.Hessian?.Add(rows);
        if (request.CaptureRows > 0)
        {
            CaptureRows(stats, rows, width, request.CaptureRows, sampleCount);
        }
    }

    private static string NodeName(ConvPatches patches) => patches.Node.Name.Length > 0 ? patches.Node.Name : patches.Node.Outputs[0];
}
