using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Quantization;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// The OBS solver behind GPTQ and SparseGPT against plain references on small matrices: the factor really is the
/// Cholesky factor of the damped inverse, GPTQ with H = I is RTN, the blocked lazy-batch solver equals the textbook
/// column-by-column OBS update (explicit inverse, row/column elimination), and on correlated inputs GPTQ's output
/// error is below RTN's.
/// </summary>
public sealed class ObsSolverTests
{
    internal static (float[] X, int Rows) CorrelatedInputs(int rows, int k, ulong seed)
    {
        // x = z · A with a random mixing A: strongly correlated channels, as real activations are.
        var rng = new DeterministicRandom(seed);
        var mix = rng.Uniform(k * k, 1f);
        var x = new float[rows * k];
        var z = new float[k];
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < k; i++)
            {
                z[i] = rng.NextNormal(1f);
            }

            for (var j = 0; j < k; j++)
            {
                var s = 0f;
                for (var i = 0; i < k; i++)
                {
                    s += z[i] * mix[(i * k) + j];
                }

                x[(r * k) + j] = s;
            }
        }

        return (x, rows);
    }

    internal static double[] HessianOf(float[] x, int k)
    {
        var h = new InputHessian(k);
        h.Add(x);
        return h.Matrix();
    }

    internal static double[] RandomRows(int n, int k, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        return [.. rng.Uniform(n * k, 0.5f).Select(v => (double)v)];
    }

    /// <summary>tr((W − Ŵ) H (W − Ŵ)ᵀ) = ‖(W − Ŵ)Xᵀ‖², the layer's squared output error on the calibration rows.</summary>
    internal static double OutputError(double[] w, double[] what, double[] h, int n, int k)
    {
        var total = 0.0;
        var d = new double[k];
        for (var r = 0; r < n; r++)
        {
            for (var i = 0; i < k; i++)
            {
                d[i] = w[(r * k) + i] - what[(r * k) + i];
            }

            for (var i = 0; i < k; i++)
            {
                var s = 0.0;
                for (var j = 0; j < k; j++)
                {
                    s += h[(i * k) + j] * d[j];
                }

                total += d[i] * s;
            }
        }

        return total;
    }

    private static double[] Dequantized(Int4Weight q)
    {
        var w = new double[q.Outputs * q.Inputs];
        for (var r = 0; r < q.Outputs; r++)
        {
            for (var c = 0; c < q.Inputs; c++)
            {
                w[(r * q.Inputs) + c] = q.Value(r, c);
            }
        }

        return w;
    }

    [Fact]
    public void The_factor_is_the_upper_cholesky_factor_of_the_damped_inverse_hessian()
    {
        const int k = 24;
        var (x, _) = CorrelatedInputs(200, k, 3);
        var h = HessianOf(x, k);

        Assert.True(InverseHessianFactor.TryCreate(h, k, 0.01, out var f, out _));

        var mean = Enumerable.Range(0, k).Average(i => h[(i * k) + i]);
        Assert.Equal(0.01 * mean, f.Damping, 12);
        // (H + λI) · UᵀU = I
        var u = f.Upper;
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                var s = 0.0;
                for (var m = 0; m < k; m++)
                {
                    var hinv = 0.0;
                    for (var t = 0; t <= Math.Min(m, j); t++)
                    {
                        hinv += u[(t * k) + m] * u[(t * k) + j];
                    }

                    s += (h[(i * k) + m] + (i == m ? f.Damping : 0)) * hinv;
                }

                Assert.Equal(i == j ? 1.0 : 0.0, s, 8);
            }

            for (var j = 0; j < i; j++)
            {
                Assert.Equal(0.0, u[(i * k) + j]);
            }
        }
    }

    [Theory]
    [InlineData(true, 16)]
    [InlineData(false, 32)]
    public void Gptq_with_an_identity_hessian_is_round_to_nearest(bool symmetric, int block)
    {
        const int n = 6, k = 64;
        var w = RandomRows(n, k, 9);
        var identity = new double[k * k];
        for (var i = 0; i < k; i++)
        {
            identity[(i * k) + i] = 3.5;
        }

        Assert.True(InverseHessianFactor.TryCreate(identity, k, 0.01, out var factor, out _));

        var rtn = Int4Quantizer.Quantize(w, n, k, block, symmetric, null);
        var gptq = Int4Quantizer.Quantize(w, n, k, block, symmetric, factor);

        Assert.Equal(rtn.Codes, gptq.Codes);
        Assert.Equal(rtn.Grids, gptq.Grids);
        Assert.Equal(rtn.ToBytes(), gptq.ToBytes());
    }

    [Fact]
    public void Rtn_codes_follow_the_int4_grid_formula()
    {
        double[] w = [0.7, -0.36, 0.1, 0, 0.05, -0.7, 0.349, 0.2];
        var q = Int4Quantizer.Quantize(w, 1, 8, 8, symmetric: true, null);

        var s = (float)(0.7 / 7);
        Assert.Equal(s, q.Grids[0].Scale);
        Assert.Equal([7, -4, 1, 0, 0, -7, 3, 2], q.Codes);
        var a = Int4Quantizer.Quantize(w, 1, 8, 8, symmetric: false, null);
        Assert.Equal((float)(1.4 / 15), a.Grids[0].Scale);
        Assert.Equal((int)Math.Round(0.7 / a.Grids[0].Scale, MidpointRounding.ToEven), a.Grids[0].Zero);
        Assert.All(a.Codes, c => Assert.InRange(c, 0, 15));
        for (var i = 0; i < w.Length; i++)
        {
            // Round to nearest: every value within half a step of its code (the range holds them all).
            Assert.InRange(Math.Abs(a.Value(0, i) - w[i]), 0, (a.Grids[0].Scale / 2) + 1e-6);
            Assert.InRange(Math.Abs(q.Value(0, i) - w[i]), 0, (s / 2) + 1e-6);
        }
    }

    [Fact]
    public void The_blocked_solver_equals_the_textbook_obs_update_with_an_explicit_inverse()
    {
        const int n = 5, k = 48, block = 16;
        var (x, _) = CorrelatedInputs(300, k, 21);
        var h = HessianOf(x, k);
        var w = RandomRows(n, k, 4);
        Assert.True(InverseHessianFactor.TryCreate(h, k, 0.01, out var factor, out _));

        var gptq = Int4Quantizer.Quantize(w, n, k, block, true, factor);
        var reference = NaiveGptq.Solve(w, n, k, block, h, factor.Damping);

        var solved = Dequantized(gptq);
        var same = 0;
        for (var i = 0; i < solved.Length; i++)
        {
            same += Math.Abs(solved[i] - reference[i]) < 1e-9 ? 1 : 0;
        }

        // Rounding is discontinuous: a last-bit difference may flip a value sitting exactly between two codes.
        Assert.True(same >= solved.Length - 2, $"{solved.Length - same} of {solved.Length} values differ");
        Assert.Equal(OutputError(w, reference, h, n, k), OutputError(w, solved, h, n, k), 6);
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(128, true)]
    [InlineData(32, false)]
    public void On_correlated_inputs_gptq_has_a_smaller_output_error_than_rtn(int block, bool symmetric)
    {
        const int n = 16, k = 128;
        var (x, _) = CorrelatedInputs(512, k, 5);
        var h = HessianOf(x, k);
        var w = RandomRows(n, k, 6);
        Assert.True(InverseHessianFactor.TryCreate(h, k, 0.01, out var factor, out _));

        var rtn = OutputError(w, Dequantized(Int4Quantizer.Quantize(w, n, k, block, symmetric, null)), h, n, k);
        var gptq = OutputError(w, Dequantized(Int4Quantizer.Quantize(w, n, k, block, symmetric, factor)), h, n, k);

        Assert.True(gptq < 0.7 * rtn, $"GPTQ {gptq:G4} vs RTN {rtn:G4}");
    }
}
