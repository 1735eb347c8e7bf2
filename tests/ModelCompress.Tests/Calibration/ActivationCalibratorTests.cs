using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Tests.Quantization;

namespace ModelCompress.Tests.Calibration;

public sealed class ActivationCalibratorTests
{
    /// <summary>relu(x·W1 + b1) for the sample MLP, computed directly.</summary>
    private static float[] Hidden(OnnxModel model, float[] x, int rows)
    {
        var w = model.Graph.Initializers["fc1.weight"].ToFloatArray();
        var b = model.Graph.Initializers["fc1.bias"].ToFloatArray();
        var h = new float[rows * 32];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < 32; c++)
            {
                double sum = 0;
                for (var k = 0; k < 16; k++)
                {
                    sum += x[(r * 16) + k] * w[(k * 32) + c];
                }

                h[(r * 32) + c] = Math.Max(0f, (float)sum + b[c]);
            }
        }

        return h;
    }

    [Fact]
    public void Streamed_per_channel_statistics_match_a_direct_computation()
    {
        var model = SampleModels.Mlp(inputSize: 16, hiddenSize: 32, outputSize: 10, hiddenLayers: 2);
        var relu = model.Graph.Nodes.First(n => n.OpType == "Relu").Outputs[0];
        var source = QuantTestModels.Samples("input", 6, [4, 16], scale: 2f);

        var stats = ActivationCalibrator.Collect(model, [new CalibrationRequest(relu, -1, Histogram: true, CaptureRows: 10)], source, 1, default)[relu];

        var all = source.Samples().SelectMany(s => Hidden(model, (float[])s[0].Data, 4)).ToArray();
        Assert.Equal(32, stats.Channels);
        Assert.Equal(6, stats.Samples);
        Assert.Equal(all.Length, stats.Elements);
        for (var c = 0; c < 32; c++)
        {
            var column = Enumerable.Range(0, all.Length / 32).Select(r => all[(r * 32) + c]).ToArray();
            Assert.Equal(column.Max(), stats.ChannelMax[c], 4);
            Assert.Equal(column.Min(), stats.ChannelMin[c], 4);
            Assert.Equal(column.Max(MathF.Abs), stats.ChannelAbsMax[c], 4);
        }

        Assert.Equal(all.Length, stats.Histogram!.Count);
        Assert.Equal(all.Max(), stats.Max, 4);
        Assert.Equal((stats.Min, stats.Max), stats.Range(ActivationRangeMethod.MinMax, 0, symmetric: false));
        var m = Math.Max(Math.Abs(stats.Min), stats.Max);
        Assert.Equal((-m, m), stats.Range(ActivationRangeMethod.MinMax, 0, symmetric: true));

        // 10 rows from 6 samples of 4: ⌈10/6⌉ = 2 per sample (rows 1 and 3) until 10 are held.
        Assert.Equal(10, stats.RowCount);
        var rows = stats.Rows;
        for (var c = 0; c < 32; c++)
        {
            Assert.Equal(all[32 + c], rows[c], 4);                     // sample 0, row 1
            Assert.Equal(all[((4 + 1) * 32) + c], rows[(2 * 32) + c], 4); // sample 1, row 1
        }
    }

    [Fact]
    public void Conv_inputs_are_reduced_per_channel_on_axis_1()
    {
        var model = SampleModels.ConvNet(channels: 1, height: 8, width: 8, classes: 3);
        var relu = model.Graph.Nodes.First(n => n.OpType == "Relu").Outputs[0];
        var source = QuantTestModels.Samples("input", 3, [1, 1, 8, 8]);

        var stats = ActivationCalibrator.Collect(model, [new CalibrationRequest(relu, ChannelAxis: 1)], source, 1, default)[relu];

        Assert.Equal(8, stats.Channels);
        Assert.All(stats.ChannelMin, v => Assert.True(v >= 0));
        Assert.Equal(3 * 8 * 8 * 8, stats.Elements);
    }

    [Fact]
    public void Coded_errors_for_empty_data_unknown_tensors_wrong_types_and_failed_runs()
    {
        var model = SampleModels.Mlp();
        var empty = new InMemoryCalibrationSource([], "nothing");
        var one = QuantTestModels.Samples("input", 1, [2, 16]);

        Assert.Equal("MC3101", Assert.Throws<ModelCompressException>(() => ActivationCalibrator.Collect(model, [new("input")], empty, 1, default)).Code);
        Assert.Equal("MC3103", Assert.Throws<ModelCompressException>(() => ActivationCalibrator.Collect(model, [new("no_such_value")], one, 1, default)).Code);
        Assert.Equal("MC3105", Assert.Throws<ModelCompressException>(() => ActivationCalibrator.Collect(model, [new("input", ChannelAxis: 3)], one, 1, default)).Code);
        var wrongShape = QuantTestModels.Samples("input", 1, [2, 7]);
        Assert.Equal("MC3102", Assert.Throws<ModelCompressException>(() => ActivationCalibrator.Collect(model, [new("input")], wrongShape, 1, default)).Code);

        var ints = new OnnxModelBuilder("ints").Opset(17);
        ints.Graph.Input("x", TensorDataType.Int64, 2);
        ints.Graph.Node("Neg", ["x"], ["y"], "neg");
        ints.Graph.Output("y", TensorDataType.Int64, 2);
        var intSamples = new InMemoryCalibrationSource([[new CalibrationInput("x", [2], new long[] { 1, 2 })]]);
        Assert.Equal("MC3104", Assert.Throws<ModelCompressException>(() => ActivationCalibrator.Collect(ints.Build(), [new("y")], intSamples, 1, default)).Code);
    }
}
