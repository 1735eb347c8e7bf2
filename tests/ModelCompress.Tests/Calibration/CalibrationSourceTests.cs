using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Calibration;

public sealed class CalibrationSourceTests
{
    private static readonly SourceLocation Here = new("test.yaml", 1, 1);

    private static OnnxModel TokenModel(TensorDataType type = TensorDataType.Int64)
    {
        var b = new OnnxModelBuilder("tokens").Opset(17);
        b.Graph.Input("input_ids", type, "batch", "seq");
        b.Graph.Node("Identity", ["input_ids"], ["out"], "id");
        b.Graph.Output("out", type, "batch", "seq");
        return b.Build();
    }

    private static CalibrationSettings Text(string path, int samples, int seed = 0, int seqLen = 16, string? input = null) =>
        new(new DataSource(path, DataFormat.Text, TokenizerKind.Bytes, null, seqLen, input, Here), samples, seed, Here);

    [Fact]
    public void Text_windows_are_seeded_distinct_in_bounds_and_read_front_to_back()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.FullPath, "calib.txt");
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i} of text\n"));
        File.WriteAllText(path, text);
        var bytes = File.ReadAllBytes(path);

        var a = (TextCalibrationSource)CalibrationSources.Create(Text(path, 20, seed: 7), TokenModel());
        var b = (TextCalibrationSource)CalibrationSources.Create(Text(path, 20, seed: 7), TokenModel());
        var c = (TextCalibrationSource)CalibrationSources.Create(Text(path, 20, seed: 8), TokenModel());

        Assert.Equal(20, a.Count);
        Assert.Equal(a.Starts, b.Starts);
        Assert.NotEqual(a.Starts, c.Starts);
        Assert.Equal(a.Starts.Order(), a.Starts);
        Assert.Equal(20, a.Starts.Distinct().Count());
        Assert.All(a.Starts, s => Assert.InRange(s, 0, bytes.Length - 16));
        var first = a.Samples().First().Single();
        Assert.Equal("input_ids", first.Name);
        Assert.Equal([1L, 16L], first.Shape);
        Assert.Equal(bytes.AsSpan(a.Starts[0], 16).ToArray().Select(v => (long)v), (long[])first.Data);
    }

    [Fact]
    public void Int32_token_inputs_get_int32_windows_and_short_texts_give_all_positions()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.FullPath, "short.txt");
        File.WriteAllText(path, "abcdefghijklmnopqrst"); // 20 bytes: 5 windows of 16

        var source = CalibrationSources.Create(Text(path, 100), TokenModel(TensorDataType.Int32));

        Assert.Equal(5, source.Count);
        Assert.IsType<int[]>(source.Samples().First()[0].Data);
    }

    [Fact]
    public void Array_data_is_bound_to_the_model_input_and_the_first_samples_are_used()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/mnist-8.onnx"));
        var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
        var settings = new CalibrationSettings(new DataSource(images, DataFormat.MnistIdx, TokenizerKind.None, null, null, null, Here), 16, 3, Here);

        var source = (ArrayCalibrationSource)CalibrationSources.Create(settings, model);

        Assert.Equal(16, source.Count);
        Assert.Equal(16, source.Samples().Count());
        var sample = source.Samples().First().Single();
        Assert.Equal("Input3", sample.Name);
        Assert.Equal([1L, 1L, 28L, 28L], sample.Shape);
        Assert.Equal(Mnist.TestSet(1).Images[0], (float[])sample.Data);
    }

    [Fact]
    public void Bad_text_calibration_settings_are_coded_errors()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.FullPath, "tiny.txt");
        File.WriteAllText(path, "too short");
        var floatModel = SampleModels.Mlp();

        Assert.Equal("MC3108", Assert.Throws<ModelCompressException>(() => CalibrationSources.Create(Text(path, 4), TokenModel())).Code);
        Assert.Equal("MC3107", Assert.Throws<ModelCompressException>(() => CalibrationSources.Create(Text(path, 4, seqLen: 2), floatModel)).Code);
        Assert.Equal("MC3106", Assert.Throws<ModelCompressException>(() => CalibrationSources.Create(Text(path, 4, seqLen: 2, input: "ids"), TokenModel())).Code);
        Assert.Equal("MC3109", Assert.Throws<ModelCompressException>(() => CalibrationSources.Create(Text(dir.FullPath, 4, seqLen: 2), TokenModel())).Code);
    }
}

