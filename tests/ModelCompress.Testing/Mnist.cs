using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelCompress.Testing;

/// <summary>
/// Reads the MNIST test set from its IDX files (LeCun et al.; format: big-endian magic 0x00000803 for images or
/// 0x00000801 for labels, then the dimension sizes, then unsigned bytes), gzipped or not.
/// </summary>
public static class Mnist
{
    /// <summary>Image side length.</summary>
    public const int Side = 28;

    /// <summary>The first <paramref name="count"/> test images as raw 0-255 pixel values (one float per pixel, row-major) with their labels.</summary>
    public static (float[][] Images, byte[] Labels) TestSet(int count = 10_000)
    {
        var images = ReadImages(Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"), count);
        var labels = ReadLabels(Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz"), count);
        return (images.Select(img => img.Select(p => (float)p).ToArray()).ToArray(), labels);
    }

    /// <summary>Reads up to <paramref name="count"/> images (each 28×28 bytes).</summary>
    public static byte[][] ReadImages(string path, int count = int.MaxValue)
    {
        using var s = Open(path);
        var header = ReadExactly(s, 16);
        Check(BinaryPrimitives.ReadInt32BigEndian(header) == 0x00000803, path, "image magic");
        var n = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        var rows = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8));
        var cols = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(12));
        Check(rows == Side && cols == Side && n > 0, path, "image dimensions");
        var take = Math.Min(n, count);
        var result = new byte[take][];
        for (var i = 0; i < take; i++)
        {
            result[i] = ReadExactly(s, rows * cols);
        }

        return result;
    }

    /// <summary>Reads up to <paramref name="count"/> labels (0-9).</summary>
    public static byte[] ReadLabels(string path, int count = int.MaxValue)
    {
        using var s = Open(path);
        var header = ReadExactly(s, 8);
        Check(BinaryPrimitives.ReadInt32BigEndian(header) == 0x00000801, path, "label magic");
        var n = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        var labels = ReadExactly(s, Math.Min(n, count));
        Check(labels.All(l => l <= 9), path, "label range");
        return labels;
    }

    private static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static byte[] ReadExactly(Stream s, int n)
    {
        var buffer = new byte[n];
        s.ReadExactly(buffer);
        return buffer;
    }

    private static void Check(bool ok, string path, string what)
    {
        if (!ok)
        {
            throw new InvalidDataException($"'{path}' is not an MNIST IDX file ({what} wrong).");
        }
    }
}
