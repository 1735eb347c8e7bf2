using ModelCompress.Analysis;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Quantization;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// The solver's four-row tiled lazy update gives the bits of solving each row alone (the row-at-a-time update, which
/// a one-row solve still runs): GPTQ int4 on random and char-GPT weights with a real damped Hessian factor, SparseGPT's
/// rule, ragged widths and a group smaller than four, and weights with −0 (which take the row update).
/// </summary>
public sealed class ObsRowTileTests
{
    [Theory]
    [InlineData(203, 10, 32)]
    [InlineData(136, 8, 128)]
    public void Random_weights_solve_to_the_bits_of_one_row_at_a_time(int k, int n, int block)
    {
        var w = new DeterministicRandom((ulong)k).Uniform(n * k, 1f).Select(v => (double)v).ToArray();
        for (var i = 0; i < w.Length; i += 13)
        {
            w[i] = 0;
        }

        var factor = Factor(k, seed: 3);
        AssertInt4Alike(w, n, k, block, factor);
        AssertSparseAlike(w, n, k, factor);
        w[7] = -0.0;
        AssertInt4Alike(w, n, k, block, factor);
    }

    [Fact]
    public void Char_gpt_weights_solve_to_the_bits_of_one_row_at_a_time()
    {
        var model = OnnxModel.Load(Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx"));
        var layer = GraphAnalyzer.Analyze(model).Layers[0];
        var (_, k, all) = Int4WeightOnlyPass.RowsOf(PassLayer.Of(layer));
        const int n = 9;
        var w = all[..(n * k)];

        AssertInt4Alike(w, n, k, 128, Factor(k, seed: 8));
    }

    private static InverseHessianFactor Factor(int k, ulong seed)
    {
        var h = new InputHessian(k);
        h.Add(new DeterministicRandom(seed).Uniform(2 * k * k, 1f));
        Assert.True(InverseHessianFactor.TryCreate(h.Matrix(), k, 0.01, out var factor, out var reason), reason);
        return factor;
    }

    private static void AssertInt4Alike(double[] w, int n, int k, int block, InverseHessianFactor factor)
    {
        var grids = (k + block - 1) / block;
        var (codes, grid) = (new int[n * k], new Int4Grid[n * grids]);
        var together = (double[])w.Clone();
        ObsSolver.Solve(together, n, factor, r => new Int4ColumnRule(r, k, block, true, codes, grid));

        var (codes1, grid1) = (new int[n * k], new Int4Grid[n * grids]);
        var alone = (double[])w.Clone();
        for (var r = 0; r < n; r++)
        {
            var row = alone.AsSpan(r * k, k).ToArray();
            var at = r;
            ObsSolver.Solve(row, 1, factor, _ => new Int4ColumnRule(at, k, block, true, codes1, grid1));
            row.CopyTo(alone, r * k);
        }

        Assert.Equal(codes1, codes);
        Assert.Equal(grid1, grid);
        Assert.Equal(alone.Select(BitConverter.DoubleToInt64Bits), together.Select(BitConverter.DoubleToInt64Bits));
    }

    private static void AssertSparseAlike(double[] w, int n, int k, InverseHessianFactor factor)
    {
        var together = (double[])w.Clone();
        ObsSolver.Solve(together, n, factor, _ => new SparseColumnRule(0.5, 32, 0, 0));
        var alone = (double[])w.Clone();
        for (var r = 0; r < n; r++)
        {
            var row = alone.AsSpan(r * k, k).ToArray();
            ObsSolver.Solve(row, 1, factor, _ => new SparseColumnRule(0.5, 32, 0, 0));
            row.CopyTo(alone, r * k);
        }

        Assert.Equal(alone.Select(BitConverter.DoubleToInt64Bits), together.Select(BitConverter.DoubleToInt64Bits));
    }
}
