namespace ModelCompress.Quantization;

/// <summary>
/// The upper Cholesky factor U of the damped inverse Hessian, (H + λI)⁻¹ = UᵀU, that GPTQ and SparseGPT read one row
/// at a time: when column j of a weight row is fixed (rounded or pruned) with error e = (w_j − q_j) / U_jj, the
/// optimal update of the columns not yet fixed is w_{j+1:} −= e · U_{j, j+1:} (Frantar et al., 2022, eq. 3 and §4
/// "Cholesky reformulation"; Frantar and Alistarh, 2023, §3.3). λ = percdamp · mean(diag H) (GPTQ's dampening).
/// Inputs that never fired (H_jj = 0) are "dead": H_jj is set to 1 so the matrix stays invertible and their weights
/// are set to 0, as the GPTQ reference does — on the calibration data they never contribute.
/// </summary>
public sealed class InverseHessianFactor
{
    private InverseHessianFactor(int channels, double[] upper, bool[] dead, double damping)
    {
        Channels = channels;
        Upper = upper;
        Dead = dead;
        Damping = damping;
    }

    /// <summary>K, the number of input channels.</summary>
    public int Channels { get; }

    /// <summary>U, row-major [K, K], zero below the diagonal.</summary>
    public double[] Upper { get; }

    /// <summary>Input channels whose H_jj was 0.</summary>
    public bool[] Dead { get; }

    /// <summary>The λ added to the diagonal.</summary>
    public double Damping { get; }

    /// <summary>The factor of the identity (every update zero): GPTQ with it is round-to-nearest, SparseGPT magnitude pruning.</summary>
    public static InverseHessianFactor Identity(int channels)
    {
        var u = new double[(long)channels * channels];
        for (var i = 0; i < channels; i++)
        {
            u[((long)i * channels) + i] = 1;
        }

        return new InverseHessianFactor(channels, u, new bool[channels], 0);
    }

    /// <summary>
    /// Factors <paramref name="hessian"/> (row-major [K, K], symmetric; not changed). False, with the reason, when it
    /// holds a non-finite value, is zero (no calibration signal at all) or is not positive definite even after damping.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<double> hessian, int channels, double percdamp, out InverseHessianFactor factor, out string reason)
    {
        factor = null!;
        var k = channels;
        if (hessian.Length != (long)k * k)
        {
            throw new ArgumentException("the Hessian is not K×K", nameof(hessian));
        }

        var h = hessian.ToArray();
        var dead = new bool[k];
        var live = 0;
        var diagSum = 0.0;
        for (var i = 0; i < k; i++)
        {
            var d = h[(i * k) + i];
            if (!double.IsFinite(d) || d < 0)
            {
                reason = $"H[{i},{i}] = {d}";
                return false;
            }

            if (d == 0)
            {
                dead[i] = true;
                h[(i * k) + i] = 1;
            }
            else
            {
                live++;
            }

            diagSum += h[(i * k) + i];
        }

        if (live == 0)
        {
            reason = "every input channel was zero on the calibration data";
            return false;
        }

        var damping = percdamp * diagSum / k;
        for (var i = 0; i < k; i++)
        {
            h[(i * k) + i] += damping;
        }

        // The upper factor U of H⁻¹ = UᵀU without forming H⁻¹: with J the order-reversing permutation, the Cholesky
        // factor L of JHJ gives H = (JLJ)(JLJ)ᵀ, JLJ upper triangular, so H⁻¹ = (JL⁻¹J)ᵀ(JL⁻¹J) and, the factor with a
        // positive diagonal being unique, U = JL⁻¹J: one factorization and one triangular inverse. Row-major, JMJ is M
        // with its elements in reverse order (element i·k + j goes to k² − 1 − (i·k + j)).
        Array.Reverse(h);
        if (!Cholesky.TryLower(h, k))
        {
            reason = $"H + {damping:G3}·I is not positive definite";
            return false;
        }

        var upper = Cholesky.LowerInverse(h, k);
        Array.Reverse(upper);
        for (var i = 0; i < upper.Length; i++)
        {
            if (!double.IsFinite(upper[i]))
            {
                reason = $"H + {damping:G3}·I is not positive definite";
                return false;
            }
        }

        factor = new InverseHessianFactor(k, upper, dead, damping);
        reason = string.Empty;
        return true;
    }
}
