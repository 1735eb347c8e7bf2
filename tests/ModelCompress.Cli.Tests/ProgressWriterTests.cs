using ModelCompress.Engine;

namespace ModelCompress.Cli.Tests;

public sealed class ProgressWriterTests
{
    [Fact]
    public void On_a_terminal_one_line_is_rewritten_with_step_layer_count_percentage_and_time_left()
    {
        using var stdout = new StringWriter();
        var now = TimeSpan.Zero;
        var writer = new ProgressWriter(stdout, interactive: true, () => now);

        writer.Report(new CompressProgress("gpt", "smoothquant", 1, 4, "fc1"));
        now = TimeSpan.FromSeconds(30);
        writer.Report(new CompressProgress("gpt", "smoothquant", 2, 4, "fc2"));
        writer.Finish();

        var frames = stdout.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("gpt: smoothquant layer 1/4 (25%) fc1, about 0:00 left", frames[0].TrimEnd());
        Assert.Equal("gpt: smoothquant layer 2/4 (50%) fc2, about 0:30 left", frames[1].TrimEnd()); // 30 s for 2, 2 to go
        Assert.DoesNotContain('\n', stdout.ToString());
        Assert.Equal(string.Empty, frames[^1].Trim()); // Finish blanks the line
    }

    [Fact]
    public void Calibration_counts_samples_and_redirected_output_gets_one_plain_line_per_step()
    {
        using var stdout = new StringWriter();
        var writer = new ProgressWriter(stdout, interactive: false, () => TimeSpan.Zero);

        writer.Report(new CompressProgress("gpt", "calibrate", 1, 128));
        writer.Report(new CompressProgress("gpt", "calibrate", 2, 128));
        writer.Report(new CompressProgress("gpt", "quantize", 1, 25, "fc1"));
        writer.Report(new CompressProgress("gpt", "write", 0, 0, "gpt.onnx"));

        Assert.Equal(["gpt: calibrate (128 samples)", "gpt: quantize (25 layers)", "gpt: write"], stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("gpt: calibrate sample 64/128 (50%)", ProgressWriter.Describe(new CompressProgress("gpt", "calibrate", 64, 128), TimeSpan.Zero)[..34]);
    }
}
