using ModelCompress.Data;

namespace ModelCompress.Testing;

/// <summary>
/// Deterministic text-line images for the PP-OCRv4 recognizer made from real handwriting: six consecutive MNIST test
/// digits, each scaled bilinearly from 28×28 to 48×48 (pixel-centre aligned), inverted to dark ink on light paper,
/// laid side by side (288 px) and padded on the right to 320 px with 0 — PaddleOCR's recognizer preprocessing
/// normalizes pixels to (v/255 − 0.5)/0.5 and pads the normalized image with zeros, so the padding is mid-grey.
/// The three channels are equal. Layout [3, 48, 320], row-major.
/// </summary>
public static class EvalOcrLines
{
    public const int Height = 48;
    public const int Width = 320;
    public const int Digits = 6;

    /// <summary>The ONNX input shape of one line.</summary>
    public static readonly long[] Shape = [1, 3, Height, Width];

    /// <summary>The line of images <paramref name="first"/>..first+5.</summary>
    public static float[] Line(float[][] images, int first)
    {
        var plane = new float[Height * Width];
        for (var d = 0; d < Digits; d++)
        {
            var img = images[first + d];
            for (var y = 0; y < Height; y++)
            {
                for (var x = 0; x < Height; x++)
                {
                    var ink = Bilinear(img, y, x);
                    var paper = 255f - ink;
                    plane[(y * Width) + (d * Height) + x] = ((paper / 255f) - 0.5f) / 0.5f;
                }
            }
        }

        var result = new float[3 * plane.Length];
        for (var c = 0; c < 3; c++)
        {
            plane.CopyTo(result, c * plane.Length);
        }

        return result;
    }

    /// <summary>
    /// Writes <paramref name="lines"/> consecutive lines, the first made of images <paramref name="firstImage"/>.., as an
    /// .npy [lines, 3, 48, 320] float32 (the rows a recipe's calibration or verify data reads).
    /// </summary>
    public static void WriteNpy(string path, float[][] images, int firstImage, int lines)
    {
        var data = Enumerable.Range(0, lines).SelectMany(j => Line(images, firstImage + (j * Digits))).ToArray();
        NpyWriter.WriteFile(path, NdArray.FromFloats(data, lines, 3, Height, Width));
    }

    /// <summary>The 28×28 image sampled at output pixel (y, x) of a 48×48 grid, centres aligned, edges clamped.</summary>
    private static float Bilinear(float[] img, int y, int x)
    {
        const float scale = (float)Mnist.Side / Height;
        var sy = Math.Clamp(((y + 0.5f) * scale) - 0.5f, 0, Mnist.Side - 1);
        var sx = Math.Clamp(((x + 0.5f) * scale) - 0.5f, 0, Mnist.Side - 1);
        var y0 = (int)sy;
        var x0 = (int)sx;
        var y1 = Math.Min(y0 + 1, Mnist.Side - 1);
        var x1 = Math.Min(x0 + 1, Mnist.Side - 1);
        var fy = sy - y0;
        var fx = sx - x0;
        float P(int yy, int xx) => img[(yy * Mnist.Side) + xx];
        var top = P(y0, x0) + ((P(y0, x1) - P(y0, x0)) * fx);
        var bottom = P(y1, x0) + ((P(y1, x1) - P(y1, x0)) * fx);
        return top + ((bottom - top) * fy);
    }
}
