using System.Runtime.CompilerServices;

namespace ModelCompress.Quantization;

/// <summary>
/// The one optimal-brain-surgeon solver behind GPTQ (Frantar et al., 2022, Algorithm 1) and SparseGPT (Frantar and
/// Alistarh, 2023, Algorithm 1): each output's weight row is fixed column by column in input order; the error of
/// fixing column j, e = (w_j − q_j) / U_jj, is compensated on the columns still free, w −= e · U_{j,·}, where U is the
/// upper Cholesky factor of the damped inverse Hessian (<see cref="InverseHessianFactor"/>).
/// <para>
/// Blocked with lazy batch updates (GPTQ §4 "Lazy Batch-Updates"): inside a block of columns the updates go to the
/// block only; the block's errors reach the columns after it in one pass when the block is done. Rows do not
/// interact (H is shared, W's rows are independent), so rows run in parallel while each row's arithmetic stays in
/// one fixed order — the result is the same on every run and every thread count.
/// </para>
/// </summary>
public static class ObsSolver
{
    /// <summary>Columns per lazy batch (GPTQ's B = 128).</summary>
    public const int DefaultBatch = 128;

    /// <summary>
    /// Solves every row of <paramref name="weights"/> (row-major [rows, K] with K = the factor's channels), in place:
    /// each row ends holding the fixed values. <paramref name="ruleFor"/> gives the rule for a row;
    /// <paramref name="batch"/> is the lazy-batch width (a rule whose blocks must see fully updated columns needs
    /// its block length to divide it).
    /// </summary>
    public static void Solve(double[] weights, int rows, InverseHessianFactor factor, Func<int, IObsColumnRule> ruleFor, int batch = DefaultBatch)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(factor);
        ArgumentNullException.ThrowIfNull(ruleFor);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var k = factor.Channels;
        if (weights.Length != (long)rows * k)
        {
            throw new ArgumentException("weights are not [rows, K]", nameof(weights));
        }

        var diagonal = new double[k];
        for (var j = 0; j < k; j++)
        {
            diagonal[j] = factor.Upper[((long)j * k) + j];
        }

        // Four rows at a time share the lazy batch update's loads of U (ObsRowTile), with the very same bits.
        if (ObsRowTile.Applies(weights, factor))
        {
            var pack = ObsRowTile.Pack(factor.Upper, k, batch);
            Parallel.For(0, (rows + ObsRowTile.Rows - 1) / ObsRowTile.Rows, g =>
            {
                var first = g * ObsRowTile.Rows;
                var count = Math.Min(ObsRowTile.Rows, rows - first);
                var rules = Enumerable.Range(first, count).Select(ruleFor).ToArray();
                SolveRows(weights.AsSpan(first * k, count * k), count, factor, diagonal, rules, batch, pack);
            });
            return;
        }

        Parallel.For(0, rows, r => SolveRows(weights.AsSpan(r * k, k), 1, factor, diagonal, [ruleFor(r)], batch));
    }

    // Rows [count, K] of one group: each row's columns are fixed exactly as alone; only the lazy batch update of a
    // full group runs as a tile over the group's rows.
    // Optimized at the first call: a build runs these kernels a handful of times on large inputs, too few calls for
    // tiered compilation to replace their unoptimized first code in time (same arithmetic either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SolveRows(
        Span<double> rows, int count, InverseHessianFactor factor, double[] diagonal, IObsColumnRule[] rules, int batch, double[]? pack = null)
    {
        var k = factor.Channels;
        var u = factor.Upper;
        for (var j = 0; j < k; j++)
        {
            if (factor.Dead[j])
            {
                for (var g = 0; g < count; g++)
                {
                    rows[(g * k) + j] = 0;
                }
            }
        }

        var width = Math.Min(batch, k);
        var errors = new double[count * width];
        for (var i1 = 0; i1 < k; i1 += batch)
        {
            var i2 = Math.Min(i1 + batch, k);
            for (var g = 0; g < count; g++)
            {
                var w = rows.Slice(g * k, k);
                var rule = rules[g];
                for (var j = i1; j < i2; j++)
                {
                    rule.Prepare(j, w, diagonal);
                    var q = rule.Fix(j, w[j]);
                    var e = (w[j] - q) / diagonal[j];
                    w[j] = q;
                    errors[(g * width) + j - i1] = e;
                    if (e != 0)
                    {
                        DoubleKernels.AddScaled(w.Slice(j + 1, i2 - j - 1), -e, u.AsSpan((j * k) + j + 1, i2 - j - 1));
                    }
                }
            }

            // Lazy batch update: W[:, i2:] −= E · U[i1:i2, i2:], one block row at a time in column order.
            if (count == ObsRowTile.Rows && pack is not null)
            {
                ObsRowTile.Update(rows, k, u, pack, ObsRowTile.PackOffset(k, batch, i1), errors, width, i1, i2);
                continue;
            }

            for (var g = 0; g < count; g++)
            {
                var tail = rows.Slice((g * k) + i2, k - i2);
                for (var j = i1; j < i2; j++)
                {
                    var e = errors[(g * width) + j - i1];
                    if (e == 0)
                    {
                        continue;
                    }

                    DoubleKernels.AddScaled(tail, -e, u.AsSpan((j * k) + i2, k - i2));
                }
            }
        }
    }
}
