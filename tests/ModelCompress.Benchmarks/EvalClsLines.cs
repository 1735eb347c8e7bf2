using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// Inputs of the PP-OCR text direction classifier ([1,3,48,192], PaddleOCR's cls_image_shape): an
/// <see cref="EvalOcrLines"/> line resized to 192 wide (nearest column), upright for even j and turned by 180° for
/// odd j, so the classifier's two labels (0°, 180°) are both present and known.
/// </summary>
internal static class EvalClsLines
{
    public const int Width = 192;

    /// <summary>The ONNX input shape of one line.</summary>
    public static readonly long[] Shape = [1, 3, EvalOcrLines.Height, Width];

    /// <summary>Line j from MNIST images 6j'.. (j' = <paramref name="first"/>/6), turned when <paramref name="turned"/>.</summary>
    public static float[] Line(float[][] images, int first, bool turned)
    {
        var source = EvalOcrLines.Line(images, first);
        const int h = EvalOcrLines.Height;
        var result = new float[3 * h * Width];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < Width; x++)
                {
                    var sx = x * EvalOcrLines.Width / Width;
                    var (ty, tx) = turned ? (h - 1 - y, Width - 1 - x) : (y, x);
                    result[(c * h * Width) + (ty * Width) + tx] = source[(c * h * EvalOcrLines.Width) + (y * EvalOcrLines.Width) + sx];
                }
            }
        }

        return result;
    }
}
