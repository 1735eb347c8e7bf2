using System.Buffers.Binary;
using System.IO.Compression;
using ModelCompress.Data;

namespace ModelCompress.Fuzz;

/// <summary>Where seeds come from: the shared real fixtures, the committed seed folders, small generated files.</summary>
public static class FuzzSeeds
{
    /// <summary>The harness's own folder in the repository (seeds and the regression corpus live under it).</summary>
    public static string HarnessDirectory { get; } = FindHarness();

    /// <summary>A fixture file: <c>$MODELCOMPRESS_FIXTURES</c>, else <c>../shared/fixtures</c> beside the repository.</summary>
    public static string Fixture(string relative)
    {
        var env = Environment.GetEnvironmentVariable("MODELCOMPRESS_FIXTURES");
        var root = !string.IsNullOrWhiteSpace(env)
            ? env
            : Path.Combine(HarnessDirectory, "..", "..", "..", "shared", "fixtures");
        var path = Path.GetFullPath(Path.Combine(root, relative));
        return File.Exists(path) ? path : throw new FileNotFoundException($"fixture '{relative}' is missing under '{root}'", path);
    }

    /// <summary>Every file of the committed seed folder <paramref name="name"/>, in name order.</summary>
    public static IEnumerable<byte[]> Folder(string name) =>
        Directory.GetFiles(Path.Combine(HarnessDirectory, "Seeds", name)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes);

    /// <summary>Small .npy files of each element type the reader knows.</summary>
    public static IEnumerable<byte[]> Npy()
    {
        yield return NpyBytes(NdArray.FromFloats([1f, -2f, 3.5f, 0f, 1e-3f, 7f], 2, 3));
        yield return NpyBytes(NdArray.FromInt64([1, 2, 3, 4], 4));
        yield return NpyBytes(NdArray.FromFloats([0.25f], 1, 1, 1));
    }

    /// <summary>A small .npz archive with two arrays.</summary>
    public static IEnumerable<byte[]> Npz()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mc-fuzz-seed-{Environment.ProcessId}.npz");
        try
        {
            NpzArchive.WriteFile(path, new Dictionary<string, NdArray>(StringComparer.Ordinal)
            {
                ["input"] = NdArray.FromFloats([1f, 2f, 3f, 4f], 2, 2),
                ["ids"] = NdArray.FromInt64([5, 6], 2),
            });
            yield return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The first items of the real MNIST test files (labels, images), plain and gzip-compressed.</summary>
    public static IEnumerable<byte[]> Idx()
    {
        var labels = Head("data/mnist/t10k-labels-idx1-ubyte.gz", 8 + 32, 32);
        var images = Head("data/mnist/t10k-images-idx3-ubyte.gz", 16 + (2 * 28 * 28), 2);
        yield return labels;
        yield return images;
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(labels);
        }

        yield return gz.ToArray();
    }

    private static byte[] Head(string fixture, int bytes, int items)
    {
        using var z = new GZipStream(File.OpenRead(Fixture(fixture)), CompressionMode.Decompress);
        var head = new byte[bytes];
        z.ReadExactly(head);
        BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(4), items); // the first axis says how many items follow
        return head;
    }

    private static byte[] NpyBytes(NdArray array)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, array);
        return stream.ToArray();
    }

    private static string FindHarness()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "ModelCompress.Fuzz");
            if (File.Exists(Path.Combine(candidate, "ModelCompress.Fuzz.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/ModelCompress.Fuzz was not found above " + AppContext.BaseDirectory);
    }
}
