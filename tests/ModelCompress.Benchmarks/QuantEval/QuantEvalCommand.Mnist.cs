using System.Collections.Immutable;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Onnx;
using ModelCompress.Quantization;
using ModelCompress.Recipe;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks.QuantEval;

/// <summary>mnist-8: per-channel static QDQ top-1 on the MNIST test set, calibrated on the first images.</summary>
internal sealed partial class QuantEvalCommand
{
    private int Mnist(string[] args)
    {
        var images = int.Parse(Option(args, "--images", "10000"), CultureInfo.InvariantCulture);
        var calib = int.Parse(Option(args, "--calib", "128"), CultureInfo.InvariantCulture);
        var modelPath = Fixtures.Require("models/mnist-8.onnx");
        var imagesPath = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
        var labels = IdxReader.ReadFile(Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")).ToInt64Array();
        var pixels = IdxReader.ReadFile(imagesPath).ToFloatArray();
        var fp32 = File.ReadAllBytes(modelPath);
        var location = new SourceLocation("quant-eval", 0, 0);
        Console.WriteLine($"mnist-8: {Math.Min(images, labels.Length)} test images, calibration {calib} images");
        foreach (var method in new[] { "fp32", "minmax", "percentile", "entropy", "dynamic" })
        {
            byte[] bytes;
            if (method == "fp32")
            {
                bytes = fp32;
            }
            else
            {
                var variant = Variant(method);
                var calibration = $"    calibration: {{ data: '{imagesPath}', samples: {calib} }}\n";
                var made = EvalRecipes.Run(Work.Value, variant with { Slug = "mnist-" + variant.Slug }, Recipe(modelPath, variant.Calibrated ? calibration : string.Empty, variant.Steps));
                bytes = File.ReadAllBytes(made.Path ?? throw new InvalidOperationException($"{method}: {made.Unavailable}"));
            }

            using var session = OrtEval.Session(bytes, 2);
            var correct = 0;
            var n = Math.Min(images, labels.Length);
            using var run = new RunOptions();
            for (var i = 0; i < n; i++)
            {
                using var input = OrtValue.CreateTensorValueFromMemory(pixels.AsSpan(i * 784, 784).ToArray(), [1, 1, 28, 28]);
                using var output = session.Run(run, [session.InputNames[0]], [input], [session.OutputNames[0]]);
                var logits = output[0].GetTensorDataAsSpan<float>();
                var best = 0;
                for (var c = 1; c < logits.Length; c++)
                {
                    best = logits[c] > logits[best] ? c : best;
                }

                correct += best == labels[i] ? 1 : 0;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {method,-12} top-1 {correct / (double)n:F4}  bytes {bytes.Length}"));
            if (args.Contains("--ops") && method != "fp32")
            {
                Console.WriteLine("    ORT ops: " + OrtEval.FusedOps(bytes));
            }
        }

        return 0;
    }
}
