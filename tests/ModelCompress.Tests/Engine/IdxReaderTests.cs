using System.Buffers.Binary;
using System.IO.Compression;
using ModelCompress.Data;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Engine;

public sealed class IdxReaderTests
{
    [Fact]
    public void Reads_the_real_MNIST_test_labels_and_images()
    {
        var labels = IdxReader.ReadFile(Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz"));
        var images = IdxReader.ReadFile(Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"), maxItems: 100);

        Assert.Equal(NdElementType.UInt8, labels.ElementType);
        Assert.Equal([10000L], labels.Shape);
        // The MNIST test set starts with 7, 2, 1, 0, 4 and every label is a digit.
        Assert.Equal(new long[] { 7, 2, 1, 0, 4 }, labels.ToInt64Array()[..5]);
        Assert.All(labels.ToInt64Array(), l => Assert.InRange(l, 0, 9));
        Assert.Equal([100L, 28L, 28L], images.Shape);
        var first = images.Slice(0, 1).ToFloatArray();
        Assert.Equal(255f, first.Max());
        Assert.Equal(0f, first[0]);
    }

    [Fact]
    public void Reads_big_endian_int32_payloads_uncompressed_and_gzipped()
    {
        var raw = new List<byte> { 0, 0, 0x0C, 2 };
        foreach (var v in new[] { 2, 2, -5, 7, 1 << 20, int.MinValue })
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            raw.AddRange(b);
        }

        var plain = IdxReader.Read(new MemoryStream([.. raw]));
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write([.. raw]);
        }

        var dir = Directory.CreateTempSubdirectory("mc-idx-").FullName;
        try
        {
            var path = Path.Combine(dir, "values-idx2-int.gz");
            File.WriteAllBytes(path, gz.ToArray());
            var zipped = IdxReader.ReadFile(path);
            Assert.Equal(new[] { -5, 7, 1 << 20, int.MinValue }, (int[])plain.Data);
            Assert.Equal(plain.Data, zipped.Data);
            Assert.Equal([2L, 2L], zipped.Shape);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Bad_magic_is_MC3003()
    {
        var dir = Directory.CreateTempSubdirectory("mc-idx-").FullName;
        try
        {
            var path = Path.Combine(dir, "x-idx1-ubyte");
            File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
            var ex = Assert.Throws<ModelCompressException>(() => IdxReader.ReadFile(path));
            Assert.Equal("MC3003", ex.Code);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
