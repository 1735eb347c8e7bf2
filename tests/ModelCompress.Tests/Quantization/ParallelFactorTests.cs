using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Quantization;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// GPTQ's Hessian, its factor and the factor cache: the multi-threaded Hessian fold and Cholesky give the same bits as
/// on one thread (output bytes must not depend on the core count), and equal Hessians held by different objects (a
/// candidate whose statistics were read back from the cache) share one factorization.
/// </summary>
public sealed class ParallelFactorTests
{
    // Above the thresholds at which the Hessian fold (128) and Cholesky (192) go parallel.
    private const int K = 260;

    [Fact]
    public void The_parallel_hessian_and_factor_equal_the_one_thread_bits()
    {
        var x = Rows(seed: 5, rows: 70);
        var (hessian, factor) = Build(x);
        var (hessian1, factor1) = OnOneThread(() => Build(x));

        Assert.Equal(hessian1.Matrix(), hessian.Matrix());
        Assert.Equal(factor1.Upper, factor.Upper);

        // And the factor is right: Uᵀ U (H + λI) = I.
        var h = hessian.Matrix();
        for (var i = 0; i < K; i++)
        {
            h[(i * K) + i] += factor.Damping;
        }

        for (var i = 0; i < K; i += 37)
        {
            for (var j = 0; j < K; j += 41)
            {
                var s = 0.0;
                for (var m = 0; m < K; m++)
                {
                    var inverse = 0.0;
                    for (var t = 0; t <= Math.Min(i, m); t++)
                    {
                        inverse += factor.Upper[(t * K) + i] * factor.Upper[(t * K) + m];
                    }

                    s += inverse * h[(m * K) + j];
                }

                Assert.Equal(i == j ? 1.0 : 0.0, s, 6);
            }
        }
    }

    [Fact]
    public void Equal_hessians_in_different_objects_share_one_factorization_and_a_different_damping_does_not()
    {
        var x = Rows(seed: 9, rows: 40);
        var a = new InputHessian(K);
        a.Add(x);
        var b = new InputHessian(K);
        b.Add(x);

        var first = HessianFactorCache.Get(a, 0.01);
        var second = HessianFactorCache.Get(b, 0.01);
        var damped = HessianFactorCache.Get(b, 0.05);

        Assert.NotNull(first.Factor);
        Assert.Same(first, second);
        Assert.NotSame(first, damped);
        Assert.NotEqual(first.Factor!.Damping, damped.Factor!.Damping);
    }

    private static float[] Rows(ulong seed, int rows)
    {
        var x = new DeterministicRandom(seed).Uniform(rows * K, 1f);

        // A few dead channels and exact zeros exercise the skipped terms.
        for (var r = 0; r < rows; r++)
        {
            x[(r * K) + 3] = 0;
            x[(r * K) + ((r * 7) % K)] = 0;
        }

        return x;
    }

    private static (InputHessian Hessian, InverseHessianFactor Factor) Build(float[] x)
    {
        var hessian = new InputHessian(K);
        hessian.Add(x);
        Assert.True(InverseHessianFactor.TryCreate(hessian.Matrix(), K, 0.01, out var factor, out var reason), reason);
        return (hessian, factor);
    }

    // Parallel.For schedules on TaskScheduler.Current and uses no more workers than its concurrency level: on a
    // scheduler of level 1 every iteration runs on one thread.
    private static T OnOneThread<T>(Func<T> work)
    {
        var pair = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, maxConcurrencyLevel: 1);
        return Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, pair.ConcurrentScheduler).GetAwaiter().GetResult();
    }
}
