using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;
using ModelCompress.Verification;

namespace ModelCompress.Tests.Engine;

public sealed class ModelVerifierTests
{
    [Fact]
    public void The_fp32_mnist_model_against_itself_agrees_fully_and_scores_its_known_accuracy()
    {
        var model = Fixtures.Require("models/mnist-8.onnx");
        var progress = 0L;

        var m = ModelVerifier.Compare(
            "mnist", model, model,
            Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"),
            Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz"),
            maxSamples: 300, (done, _) => progress = done, CancellationToken.None);

        Assert.Equal(300, m.Samples);
        Assert.Equal(300, m.Rows);
        Assert.Equal(300, progress);
        Assert.Equal(1.0, m.Top1Agreement);
        Assert.Equal(0.0, m.MaxAbsError);
        Assert.Equal(1.0, m.Cosine, 9);
        // mnist-8 scores 98.91% on all 10,000 test images; the first 300 are no harder than the rest.
        Assert.InRange(m.Accuracy!.Value, 0.97, 1.0);
        Assert.Equal(m.ReferenceAccuracy, m.Accuracy);
    }

    [Fact]
    public void Too_few_labels_is_MC5005()
    {
        var model = Fixtures.Require("models/mnist-8.onnx");
        var dir = Directory.CreateTempSubdirectory("mc-verify-").FullName;
        try
        {
            var labels = Path.Combine(dir, "labels.npy");
            Data.NpyWriter.WriteFile(labels, Data.NdArray.FromInt64([7, 2], 2));
            var ex = Assert.Throws<ModelCompressException>(() => ModelVerifier.Compare(
                "mnist", model, model, Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"), labels, 5, null, CancellationToken.None));
            Assert.Equal("MC5005", ex.Code);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_file_onnx_runtime_cannot_load_is_MC5004()
    {
        var dir = Directory.CreateTempSubdirectory("mc-verify-").FullName;
        try
        {
            var bad = Path.Combine(dir, "bad.onnx");
            File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7]);
            var ex = Assert.Throws<ModelCompressException>(() => ModelVerifier.Compare(
                "m", bad, bad, "unused.npz", null, 1, null, CancellationToken.None));
            Assert.Equal("MC5004", ex.Code);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Cancellation_stops_between_samples()
    {
        var model = Fixtures.Require("models/mnist-8.onnx");
        using var cts = new CancellationTokenSource();

        Assert.ThrowsAny<OperationCanceledException>(() => ModelVerifier.Compare(
            "mnist", model, model, Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz"), null, 50,
            (done, _) => { if (done == 3) { cts.Cancel(); } }, cts.Token));
    }
}
