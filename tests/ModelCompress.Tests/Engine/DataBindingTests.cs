using ModelCompress.Data;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Engine;

public sealed class DataBindingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mc-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Mnist_rows_are_reshaped_and_converted_for_a_fixed_four_d_float_input()
    {
        var input = new ModelInputInfo("Input3", NdElementType.Float32, [1, 1, 28, 28]);
        var set = DataFileReader.ReadSamples(Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"), [input], maxSamples: 3);

        var sample = set.GetSample(2);

        Assert.Equal(3, set.Count);
        var (bound, value) = Assert.Single(sample);
        Assert.Equal("Input3", bound.Name);
        Assert.Equal(NdElementType.Float32, value.ElementType);
        Assert.Equal([1L, 1L, 28L, 28L], value.Shape);
        Assert.Equal(255f, value.ToFloatArray().Max());
    }

    [Fact]
    public void Npz_arrays_bind_by_input_name_and_dynamic_dims_take_the_data_size()
    {
        var path = Path.Combine(_dir, "v.npz");
        NpzArchive.WriteFile(path, new Dictionary<string, NdArray>
        {
            ["ids"] = new(NdElementType.Int32, [3, 5], Enumerable.Range(0, 15).ToArray()),
            ["mask"] = NdArray.FromFloats(new float[15], 3, 5),
        });
        ModelInputInfo[] inputs = [new("mask", NdElementType.Float32, [-1, -1]), new("ids", NdElementType.Int64, [-1, -1])];

        var set = DataFileReader.ReadSamples(path, inputs);
        var sample = set.GetSample(1);

        Assert.Equal(3, set.Count);
        Assert.Equal("mask", sample[0].Input.Name);
        Assert.Equal("ids", sample[1].Input.Name);
        Assert.Equal(new long[] { 5, 6, 7, 8, 9 }, (long[])sample[1].Value.Data);
        Assert.Equal([1L, 5L], sample[1].Value.Shape);
    }

    [Fact]
    public void A_missing_input_array_is_MC3005_listing_what_the_file_has()
    {
        var path = Path.Combine(_dir, "v.npz");
        NpzArchive.WriteFile(path, new Dictionary<string, NdArray> { ["a"] = NdArray.FromFloats([1f], 1), ["b"] = NdArray.FromFloats([1f], 1) });

        var ex = Assert.Throws<ModelCompressException>(() =>
            DataFileReader.ReadSamples(path, [new ModelInputInfo("x", NdElementType.Float32, [1])]));

        Assert.Equal("MC3005", ex.Code);
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("a, b", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_that_cannot_feed_the_input_is_MC3006()
    {
        var path = Path.Combine(_dir, "v.npy");
        NpyWriter.WriteFile(path, NdArray.FromFloats(new float[10], 2, 5));

        var ex = Assert.Throws<ModelCompressException>(() =>
            DataFileReader.ReadSamples(path, [new ModelInputInfo("x", NdElementType.Float32, [1, 4])]));

        Assert.Equal("MC3006", ex.Code);
        Assert.Contains("[2, 5]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arrays_with_different_sample_counts_are_MC3011()
    {
        var path = Path.Combine(_dir, "v.npz");
        NpzArchive.WriteFile(path, new Dictionary<string, NdArray> { ["a"] = NdArray.FromFloats([1f, 2f], 2), ["b"] = NdArray.FromFloats([1f], 1) });

        var ex = Assert.Throws<ModelCompressException>(() => DataFileReader.ReadSamples(
            path, [new ModelInputInfo("a", NdElementType.Float32, [-1]), new ModelInputInfo("b", NdElementType.Float32, [-1])]));

        Assert.Equal("MC3011", ex.Code);
    }

    [Fact]
    public void Bool_data_for_a_float_input_is_MC3009()
    {
        var path = Path.Combine(_dir, "v.npy");
        NpyWriter.WriteFile(path, new NdArray(NdElementType.Bool, [2, 1], new[] { true, false }));

        var ex = Assert.Throws<ModelCompressException>(() =>
            DataFileReader.ReadSamples(path, [new ModelInputInfo("x", NdElementType.Float32, [1, 1])]));

        Assert.Equal("MC3009", ex.Code);
    }

    [Fact]
    public void An_unknown_data_format_is_MC3004()
    {
        var path = Path.Combine(_dir, "v.csv");
        File.WriteAllText(path, "1,2,3");

        var ex = Assert.Throws<ModelCompressException>(() => DataFileReader.ReadArrays(path));

        Assert.Equal("MC3004", ex.Code);
    }
}
