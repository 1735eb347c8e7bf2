using System.Globalization;
using System.Text;

namespace ModelCompress.Testing;

/// <summary>
/// compression.yaml texts for the real fixtures, with absolute paths (hence <c>allow_outside</c>): the one place the
/// tests spell out which data calibrates and which verifies each fixture.
/// </summary>
public static class FixtureRecipe
{
    /// <summary>The MNIST test images (IDX, raw 0–255 as mnist-8 expects).</summary>
    public static string MnistImages => Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");

    /// <summary>The MNIST test labels.</summary>
    public static string MnistLabels => Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz");

    /// <summary>
    /// mnist-8 as model <c>mnist</c>: <paramref name="steps"/> (recipe lines indented for a model entry), calibrated on
    /// <paramref name="calibrationSamples"/> test images (none when null; <paramref name="calibrationData"/> replaces the
    /// images), verified on the first <paramref name="verifySamples"/> images, with labels unless <paramref name="labels"/>
    /// is false, against <paramref name="thresholds"/> (threshold lines indented for <c>thresholds:</c>).
    /// </summary>
    public static string Mnist(
        string steps, string thresholds, int verifySamples, int? calibrationSamples = null, bool labels = true, string? calibrationData = null)
    {
        var images = MnistImages;
        var w = Head("mnist", Fixtures.Require("models/mnist-8.onnx"));
        if (calibrationSamples is { } n)
        {
            w.Append(CultureInfo.InvariantCulture, $"    calibration: {{ data: {calibrationData ?? images}, samples: {n} }}\n");
        }

        w.Append("    steps:\n").Append(Lines(steps));
        w.Append("    verify:\n").Append(CultureInfo.InvariantCulture, $"      data: {images}\n");
        if (labels)
        {
            w.Append(CultureInfo.InvariantCulture, $"      labels: {MnistLabels}\n");
        }

        w.Append(CultureInfo.InvariantCulture, $"      samples: {verifySamples}\n      thresholds:\n").Append(Lines(thresholds));
        return w.ToString();
    }

    /// <summary>
    /// char-GPT as model <paramref name="name"/>: calibrated on <paramref name="calibrationSamples"/> byte windows of 128
    /// of WikiText-2 valid (none when null), verified on the first <paramref name="verifySamples"/> windows of WikiText-2 test.
    /// </summary>
    public static string CharGpt(string steps, string thresholds, int verifySamples, int? calibrationSamples = null, string name = "gpt")
    {
        var w = Head(name, Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        if (calibrationSamples is { } n)
        {
            w.Append(CultureInfo.InvariantCulture,
                $"    calibration: {{ data: {Fixtures.Require("data/wikitext-2/valid.txt")}, tokenizer: bytes, seq_len: 128, samples: {n} }}\n");
        }

        w.Append("    steps:\n").Append(Lines(steps));
        w.Append("    verify:\n").Append(CultureInfo.InvariantCulture, $"      data: {Fixtures.Require("data/wikitext-2/test.txt")}\n");
        w.Append(CultureInfo.InvariantCulture, $"      tokenizer: bytes\n      seq_len: 128\n      samples: {verifySamples}\n      thresholds:\n").Append(Lines(thresholds));
        return w.ToString();
    }

    private static StringBuilder Head(string name, string source) =>
        new StringBuilder("version: 1\nallow_outside: true\nmodels:\n").Append(CultureInfo.InvariantCulture, $"  - name: {name}\n    source: {source}\n");

    private static string Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
}
