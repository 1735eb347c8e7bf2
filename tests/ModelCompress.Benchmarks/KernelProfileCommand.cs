using Microsoft.ML.OnnxRuntime;
using ModelCompress.Testing;

namespace ModelCompress.Benchmarks;

/// <summary>
/// <c>kernel-profile mnist-8|ppocrv4-rec|ppocrv4-cls model.onnx [more.onnx ...] [--runs N]</c>: runs each model at one
/// thread with ONNX Runtime's profiler on one real input of the fixture and prints, per kernel op type, how many nodes
/// ran, how many read 8-bit inputs, and the time per run — where the time goes and which nodes run int8.
/// </summary>
internal sealed class KernelProfileCommand : IBenchCommand
{
    public string Name => "kernel-profile";

    public string Description => "ORT profiler per op type (nodes, int8 nodes, ms) for mnist-8 / ppocrv4-rec / ppocrv4-cls models";

    public int Run(string[] args)
    {
        var runsAt = Array.IndexOf(args, "--runs");
        var runs = runsAt >= 0 ? int.Parse(args[runsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 50;
        var rest = args.Where((_, i) => runsAt < 0 || (i != runsAt && i != runsAt + 1)).ToArray();
        if (rest.Length < 2)
        {
            Console.Error.WriteLine("usage: kernel-profile mnist-8|ppocrv4-rec|ppocrv4-cls model.onnx [more.onnx ...] [--runs N]");
            return 2;
        }

        var input = InputOf(rest[0]);
        foreach (var path in rest[1..])
        {
            using var probe = new InferenceSession(path);
            var profile = OrtKernelProfile.Measure(path, probe.InputNames[0], input, runs);
            Console.WriteLine($"{path}: {profile.TotalMilliseconds:F3} ms per run in kernels ({profile.FloatMilliseconds:F3} ms float, Q/DQ excluded), {runs} runs, 1 thread");
            foreach (var line in profile.Lines())
            {
                Console.WriteLine("  " + line);
            }
        }

        return 0;
    }

    /// <summary>One real input of the fixture: MNIST test image 0, or text line 0 made of MNIST digits.</summary>
    public static Func<OrtValue> InputOf(string fixture)
    {
        var (images, _) = Mnist.TestSet(12);
        return fixture switch
        {
            "mnist-8" => () => OrtValue.CreateTensorValueFromMemory(images[0], [1, 1, Mnist.Side, Mnist.Side]),
            "ppocrv4-rec" => () => OrtValue.CreateTensorValueFromMemory(EvalOcrLines.Line(images, 0), EvalOcrLines.Shape),
            "ppocrv4-cls" => () => OrtValue.CreateTensorValueFromMemory(EvalClsLines.Line(images, 0, turned: false), EvalClsLines.Shape),
            _ => throw new ArgumentException($"unknown fixture '{fixture}'"),
        };
    }
}
