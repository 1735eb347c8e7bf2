namespace ModelCompress.Quantization;

/// <summary>
/// One-shot OBS pruning with weight updates (SparseGPT, Frantar and Alistarh, 2023): each column is kept or zeroed by
/// <see cref="SparseColumnRule"/> and its removal error is compensated on the columns not yet visited through the
/// inverse Hessian (<see cref="ObsSolver"/>). With H = I there is no compensation and the result is magnitude pruning
/// with the same mask rule.
/// </summary>
public static class SparseGptPruner
{
    /// <summary>
    /// Prunes <paramref name="rows"/> (W as row-major [N, K]) in place: unstructured to <paramref name="sparsity"/>
    /// with masks per <paramref name="maskBlock"/> columns, or, when <paramref name="m"/> &gt; 0, keeping
    /// <paramref name="n"/> of every <paramref name="m"/> consecutive inputs. A null <paramref name="factor"/> prunes by magnitude.
    /// </summary>
    public static void Prune(double[] rows, int outputs, int inputs, double sparsity, int maskBlock, int n, int m, InverseHessianFactor? factor)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(maskBlock, 1);
        var group = m > 0 ? m : maskBlock;
        // The lazy batch holds whole mask groups, so every mask is chosen from fully updated values.
        var batch = group * Math.Max(1, (ObsSolver.DefaultBatch + group - 1) / group);
        ObsSolver.Solve(rows, outputs, factor ?? InverseHessianFactor.Identity(inputs), _ => new SparseColumnRule(sparsity, maskBlock, n, m), batch);
    }
}
