using ModelCompress.Onnx;

namespace ModelCompress.Calibration;

/// <summary>
/// The shape arithmetic of a 1-D or 2-D ONNX Conv (1-D is 2-D with height 1): kernel, strides, dilations and begin
/// padding, and the output size out = ⌊(in + pad_begin + pad_end − ((k − 1)·d + 1)) / s⌋ + 1 from the ONNX Conv spec.
/// <c>auto_pad</c> SAME_UPPER/SAME_LOWER pad so that out = ⌈in / s⌉, the odd pixel going at the end (UPPER) or the
/// beginning (LOWER); VALID pads nothing.
/// </summary>
internal sealed record ConvGeometry(
    int Channels, int Height, int Width,
    int KernelH, int KernelW,
    int StrideH, int StrideW,
    int DilationH, int DilationW,
    int PadTop, int PadLeft,
    int OutH, int OutW,
    int Groups)
{
    /// <summary>The geometry of <paramref name="node"/> on an input of shape [N, C, (H,) W] with weight [M, C/g, (kh,) kw].</summary>
    public static ConvGeometry? TryCreate(OnnxNode node, long[] inputShape, long[] weightShape, out string? why)
    {
        why = null;
        var spatial = inputShape.Length - 2;
        if (spatial is < 1 or > 2 || weightShape.Length != inputShape.Length)
        {
            why = "only 1-D and 2-D convolutions are simulated";
            return null;
        }

        int At(long[] values, int i, int fallback) => values.Length == spatial ? (int)values[i] : fallback;
        var strides = node.GetInts("strides", []);
        var dilations = node.GetInts("dilations", []);
        var pads = node.GetInts("pads", []);
        long[] inSize = spatial == 2 ? [inputShape[2], inputShape[3]] : [1, inputShape[2]];
        long[] kSize = spatial == 2 ? [weightShape[2], weightShape[3]] : [1, weightShape[2]];
        var s = spatial == 2 ? new[] { At(strides, 0, 1), At(strides, 1, 1) } : [1, At(strides, 0, 1)];
        var d = spatial == 2 ? new[] { At(dilations, 0, 1), At(dilations, 1, 1) } : [1, At(dilations, 0, 1)];
        var begin = new int[2];
        var end = new int[2];
        var autoPad = node.GetString("auto_pad", "NOTSET");
        for (var i = 0; i < 2; i++)
        {
            var axis = spatial == 2 ? i : i - 1; // the attribute index of this axis, −1 for the 1-D height
            var extent = ((kSize[i] - 1) * d[i]) + 1;
            switch (autoPad)
            {
                case "SAME_UPPER" or "SAME_LOWER":
                    var outSize = (inSize[i] + s[i] - 1) / s[i];
                    var total = (int)Math.Max(0, ((outSize - 1) * s[i]) + extent - inSize[i]);
                    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - (total / 2);
                    end[i] = total - begin[i];
                    break;
                case "VALID":
                    break;
                case "NOTSET" or "":
                    if (axis >= 0 && pads.Length == 2 * spatial)
                    {
                        begin[i] = (int)pads[axis];
                        end[i] = (int)pads[axis + spatial];
                    }

                    break;
                default:
                    why = $"auto_pad '{autoPad}' is not a Conv setting";
                    return null;
            }
        }

        var outH = ((inSize[0] + begin[0] + end[0] - (((kSize[0] - 1) * d[0]) + 1)) / s[0]) + 1;
        var outW = ((inSize[1] + begin[1] + end[1] - (((kSize[1] - 1) * d[1]) + 1)) / s[1]) + 1;
        var groups = (int)node.GetInt("group", 1);
        if (outH <= 0 || outW <= 0 || groups <= 0 || inputShape[1] != weightShape[1] * groups || weightShape[0] % groups != 0)
        {
            why = "its shapes do not fit the convolution";
            return null;
        }

        return new ConvGeometry(
            (int)inputShape[1], (int)inSize[0], (int)inSize[1], (int)kSize[0], (int)kSize[1], s[0], s[1], d[0], d[1],
            begin[0], begin[1], (int)outH, (int)outW, groups);
    }

    /// <summary>Input channels per group.</summary>
    public int GroupChannels => Channels / Groups;

    /// <summary>The contracted length of one output value: C/g · kh · kw.</summary>
    public int PatchSize => GroupChannels * KernelH * KernelW;

    /// <summary>
    /// im2col of one image and one group: row (oh, ow) holds the input patch that output pixel reads, in the weight's
    /// (c, kh, kw) order; pixels in the padding read 0, which quantizes to the zero point exactly.
    /// </summary>
    public void Im2Col(ReadOnlySpan<float> image, int group, Span<float> patches)
    {
        var k = PatchSize;
        for (var oh = 0; oh < OutH; oh++)
        {
            for (var ow = 0; ow < OutW; ow++)
            {
                var row = patches.Slice(((oh * OutW) + ow) * k, k);
                var at = 0;
                for (var c = 0; c < GroupChannels; c++)
                {
                    var plane = image.Slice(((group * GroupChannels) + c) * Height * Width, Height * Width);
                    for (var i = 0; i < KernelH; i++)
                    {
                        var y = (oh * StrideH) - PadTop + (i * DilationH);
                        for (var j = 0; j < KernelW; j++, at++)
                        {
                            var x = (ow * StrideW) - PadLeft + (j * DilationW);
                            row[at] = y >= 0 && y < Height && x >= 0 && x < Width ? plane[(y * Width) + x] : 0f;
                        }
                    }
                }
            }
        }
    }
}
