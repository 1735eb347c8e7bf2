using System.Diagnostics;
using System.Globalization;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;

namespace ModelCompress.Benchmarks;

/// <summary>
/// The kernels of a GPTQ tuning trial at char-GPT's shapes, timed alone (wall clock and the process's CPU time):
/// folding 32×128 calibration rows into Hessians (K = 384 and 1536), factoring the damped inverse Hessian, and the
/// int4 solve of a 384-output layer (b128, b32) and round-to-nearest. Usage: <c>gptq-kernels</c> (random data: the kernels'
/// cost does not depend on the values).
/// </summary>
internal sealed class GptqKernelBench : IBenchCommand
{
    public string Name => "gptq-kernels";

    public string Description => "gptq-kernels: Hessian fold, factorization and int4 solve at char-GPT's shapes, timed alone";

    public int Run(string[] args)
    {
        Console.WriteLine("| kernel | K | wall ms | CPU ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        const int rows = 32 * 128;
        foreach (var k in new[] { 384, 1536 })
        {
            var x = new DeterministicRandom((ulong)k).Uniform(rows * k, 1f);
            var h = new InputHessian(k);
            Time("Hessian fold (4096 rows)", k, () =>
            {
                for (var s = 0; s < 32; s++)
                {
                    h.Add(x.AsSpan(s * 128 * k, 128 * k));
                }
            });
            InverseHessianFactor? factor = null;
            var matrix = h.Matrix();
            Time("factor (2 Cholesky + inverse)", k, () => InverseHessianFactor.TryCreate(matrix, k, 0.01, out factor, out _));
            var n = k == 384 ? 1536 : 384;
            var w = new DeterministicRandom(7).Uniform(n * k, 0.1f).Select(v => (double)v).ToArray();
            Time($"int4 gptq b128 solve ({n} outputs)", k, () => Int4Quantizer.Quantize(w, n, k, 128, true, factor));
            Time($"int4 gptq b32 solve ({n} outputs)", k, () => Int4Quantizer.Quantize(w, n, k, 32, true, factor));
            Time($"int4 rtn b32 ({n} outputs)", k, () => Int4Quantizer.Quantize(w, n, k, 32, true, null));
        }

        return 0;
    }

    private static void Time(string label, int k, Action body)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        body();
        var wall = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        var used = (process.TotalProcessorTime - cpu).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {k} | {wall:0} | {used:0} |"));
    }
}
