using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Benchmarks;

/// <summary>
/// ONNX Runtime's MatMulInteger (MLAS u8s8 GEMM) on the same operands as our kernels: uint8 A[M,K] fed at run time,
/// int8 B[K,N] an initializer (so ORT prepacks it once, as we do), int32 output. One session per thread count with
/// intra_op_num_threads set to it.
/// </summary>
internal sealed class GemmOrtBaseline : IDisposable
{
    private readonly Dictionary<int, InferenceSession> _sessions = [];
    private readonly int _k;
    private readonly int _n;
    private readonly RunOptions _runOptions = new();

    private GemmOrtBaseline(byte[] model, int k, int n, IEnumerable<int> threads)
    {
        _k = k;
        _n = n;
        foreach (int t in threads.Distinct())
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = t,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            _sessions[t] = new InferenceSession(model, options);
        }
    }

    /// <summary>Sessions (one per thread count) running MatMulInteger with <paramref name="b"/> as its weights.</summary>
    public static GemmOrtBaseline Create(sbyte[] b, int k, int n, IEnumerable<int> threads) =>
        new(GemmOrtModel.MatMulInteger(b, k, n), k, n, threads);

    /// <summary>One MatMulInteger on <paramref name="m"/> rows of <paramref name="a"/> into <paramref name="c"/>.</summary>
    public void Run(int threads, byte[] a, int m, int[] c)
    {
        // Inputs and the output are bound to our arrays, so ORT allocates nothing per run (as our kernels don't).
        using var input = OrtValue.CreateTensorValueFromMemory(a, [m, _k]);
        using var output = OrtValue.CreateTensorValueFromMemory(c, [m, _n]);
        _sessions[threads].Run(_runOptions, ["A"], [input], ["C"], [output]);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        foreach (var s in _sessions.Values)
        {
            s.Dispose();
        }
    }
}
