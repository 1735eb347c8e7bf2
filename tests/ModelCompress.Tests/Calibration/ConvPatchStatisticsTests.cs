using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Tests.Quantization;

namespace ModelCompress.Tests.Calibration;

/// <summary>
/// The statistics of a Conv's unfolded input patches, gathered in streaming form by calibration, against a brute-force
/// im2col written here from the ONNX Conv definition (pads, strides, dilations, groups, auto_pad).
/// </summary>
public sealed class ConvPatchStatisticsTests
{
    public static TheoryData<string> Cases => ["2d-grouped", "1d-depthwise-same"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Patch_sums_hessians_and_rows_equal_a_brute_force_im2col(string name)
    {
        var c = Case.Of(name);
        var model = c.Model();
        var conv = model.Graph.Nodes.Single(n => n.OpType == "Conv");
        var view = ConvPatches.ViewName(conv);
        Assert.True(ConvPatches.TryResolve(model.Graph, view, out var patches));
        var source = QuantTestModels.Samples("x", 3, c.InputShape, scale: 2f);
        var request = new CalibrationRequest(view, SumSquares: true, Hessian: true, CaptureRows: 7) { Patches = patches };

        var stats = ActivationCalibrator.Collect(model, [request], source, 1, default)[view];

        var rows = source.Samples().SelectMany(s => c.BruteForcePatches((float[])s[0].Data)).ToList();
        var k = c.GroupColumns;
        Assert.Equal(k, patches.GroupColumns);
        Assert.Equal(c.Groups * k, stats.Channels);
        for (var col = 0; col < c.Groups * k; col++)
        {
            var expected = rows.Sum(r => (double)r[col] * r[col]);
            Assert.Equal(expected, stats.ChannelSumSquares![col], expected * 1e-12);
        }

        var hessians = c.Groups == 1 ? [stats.Hessian!] : stats.GroupHessians!;
        Assert.Equal(c.Groups, hessians.Count);
        for (var g = 0; g < c.Groups; g++)
        {
            var h = hessians[g].Matrix();
            Assert.Equal(rows.Count, hessians[g].Rows);
            for (var a = 0; a < k; a++)
            {
                for (var b = 0; b < k; b++)
                {
                    var expected = rows.Sum(r => (double)r[(g * k) + a] * r[(g * k) + b]);
                    Assert.True(Math.Abs(expected - h[(a * k) + b]) <= 1e-9 * (1 + Math.Abs(expected)), $"group {g} H[{a},{b}]: {h[(a * k) + b]} vs {expected}");
                }
            }
        }

        // Captured rows are whole patch rows, the first from the first sample's spread.
        Assert.Equal(7, stats.RowCount);
        var perSample = rows.Count / 3;
        var first = (int)(1L * perSample / (2L * 3)); // ⌈7/3⌉ = 3 rows per sample: the first at (2·0 + 1)·rows / (2·3)
        Assert.Equal(rows[first], stats.Rows.AsSpan(0, c.Groups * k).ToArray());
    }

    [Fact]
    public void Logical_order_puts_the_channels_of_one_kernel_position_side_by_side()
    {
        var model = Case.Of("2d-grouped").Model();
        Assert.True(ConvPatches.TryResolve(model.Graph, ConvPatches.ViewName(model.Graph.Nodes.Single(n => n.OpType == "Conv")), out var patches));

        // Kernel [6, 2, 3, 2]: 2 channels per group, 6 positions. Logical s·2 + c is stored c·6 + s.
        Assert.Equal([0, 6, 1, 7, 2, 8], Enumerable.Range(0, 6).Select(patches.LogicalColumn));
        Assert.False(ConvPatches.TryResolve(model.Graph, "y", out _));
        Assert.False(ConvPatches.TryResolve(model.Graph, ConvPatches.Prefix + "x", out _));
    }

    /// <summary>One Conv configuration and its reference im2col.</summary>
    internal sealed record Case(long[] InputShape, long[] KernelShape, int Groups, long[] Strides, long[] Dilations, long[]? Pads, string? AutoPad)
    {
        public static Case Of(string name) => name switch
        {
            "2d-grouped" => new Case([2, 4, 7, 6], [6, 2, 3, 2], 2, [2, 1], [1, 2], [1, 0, 2, 1], null),
            "2d-grouped-3x3" => new Case([1, 16, 6, 5], [6, 8, 3, 3], 2, [1, 2], [1, 1], [1, 1, 1, 0], null),
            "2d-dense-1x1" => new Case([2, 8, 4, 4], [5, 8, 1, 1], 1, [1, 1], [1, 1], [0, 0, 0, 0], null),
            _ => new Case([1, 3, 11], [3, 1, 3], 3, [2], [1], null, "SAME_UPPER"),
        };

        private int Spatial => InputShape.Length - 2;

        public int GroupColumns => (int)KernelShape.Skip(1).Aggregate(1L, (a, b) => a * b);

        public OnnxModel Model()
        {
            var m = new OnnxModelBuilder("conv").Opset(17);
            var g = m.Graph;
            g.Input("x", TensorDataType.Float, [.. InputShape.Select(d => (OnnxDimension)d)]);
            var size = (int)KernelShape.Aggregate(1L, (a, b) => a * b);
            var w = g.Initializer("w", KernelShape, new DeterministicRandom(3).Uniform(size, 0.5f));
            g.Op("Conv", [g.Op("Relu", "x"), w], n =>
            {
                n.SetAttribute("group", Groups).SetAttribute("strides", Strides).SetAttribute("dilations", Dilations);
                _ = Pads is null ? n.SetAttribute("auto_pad", AutoPad!) : n.SetAttribute("pads", Pads);
            }, "conv");
            g.Output(g.Graph.Nodes[^1].Outputs[0]);
            return m.Build();
        }

        /// <summary>Every output position's patch, groups side by side, each in the kernel's (c, k…) order, from relu(x).</summary>
        public IEnumerable<float[]> BruteForcePatches(float[] x)
        {
            var h = Spatial == 2 ? (int)InputShape[2] : 1;
            var wd = (int)InputShape[^1];
            var (kh, kw) = Spatial == 2 ? ((int)KernelShape[2], (int)KernelShape[3]) : (1, (int)KernelShape[2]);
            var (sh, sw) = Spatial == 2 ? ((int)Strides[0], (int)Strides[1]) : (1, (int)Strides[0]);
            var (dh, dw) = Spatial == 2 ? ((int)Dilations[0], (int)Dilations[1]) : (1, (int)Dilations[0]);
            int top, left, outH, outW;
            if (Pads is { } p)
            {
                (top, left) = Spatial == 2 ? ((int)p[0], (int)p[1]) : (0, (int)p[0]);
                var (bottom, right) = Spatial == 2 ? ((int)p[2], (int)p[3]) : (0, (int)p[1]);
                outH = ((h + top + bottom - ((kh - 1) * dh) - 1) / sh) + 1;
                outW = ((wd + left + right - ((kw - 1) * dw) - 1) / sw) + 1;
            }
            else
            {
                // SAME_UPPER: out = ⌈in / s⌉, total padding split with the odd one at the end.
                (outH, outW) = ((h + sh - 1) / sh, (wd + sw - 1) / sw);
                top = Math.Max(0, ((outH - 1) * sh) + ((kh - 1) * dh) + 1 - h) / 2;
                left = Math.Max(0, ((outW - 1) * sw) + ((kw - 1) * dw) + 1 - wd) / 2;
            }

            var channels = (int)InputShape[1];
            var cg = channels / Groups;
            for (var n = 0; n < InputShape[0]; n++)
            {
                for (var oh = 0; oh < outH; oh++)
                {
                    for (var ow = 0; ow < outW; ow++)
                    {
                        var row = new float[Groups * GroupColumns];
                        var at = 0;
                        for (var g = 0; g < Groups; g++)
                        {
                            for (var c = 0; c < cg; c++)
                            {
                                for (var i = 0; i < kh; i++)
                                {
                                    for (var j = 0; j < kw; j++, at++)
                                    {
                                        var (y, xx) = ((oh * sh) - top + (i * dh), (ow * sw) - left + (j * dw));
                                        row[at] = y < 0 || y >= h || xx < 0 || xx >= wd ? 0f
                                            : Math.Max(0f, x[(((((n * channels) + (g * cg) + c) * h) + y) * wd) + xx]);
                                    }
                                }
                            }
                        }

                        yield return row;
                    }
                }
            }
        }
    }
}
