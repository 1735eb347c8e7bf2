using ModelCompress.Quantization;

namespace ModelCompress.Tests.Quantization;

/// <summary>
/// The report's dequantization error and the row kernels of SmoothQuant's graph edits are fast paths of plain loops;
/// they must give the plain loops' exact values.
/// </summary>
public sealed class QuantizedLinearTests
{
    /// <summary>The definition: value i belongs to channel (i / inner) mod channels, inner = product of the dims after the axis.</summary>
    private static float[] PlainDequantize(QuantizedLinear plan)
    {
        var inner = 1L;
        for (var d = plan.Axis + 1; plan.Axis >= 0 && d < plan.Dims.Length; d++)
        {
            inner *= plan.Dims[d];
        }

        var result = new float[plan.Values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = plan.Values[i] * plan.Scales[plan.Axis < 0 ? 0 : (int)(i / inner % plan.Scales.Length)];
        }

        return result;
    }

    private static double PlainMaxError(QuantizedLinear plan, float[] original)
    {
        var back = PlainDequantize(plan);
        var max = 0.0;
        for (var i = 0; i < back.Length; i++)
        {
            max = Math.Max(max, Math.Abs(back[i] - original[i]));
        }

        return max;
    }

    public static TheoryData<long[], int> Layouts => new()
    {
        { [6, 5], 1 }, { [6, 5], 0 }, { [6, 5], -1 }, { [4, 3, 3, 2], 0 }, { [2, 3, 4], 1 }, { [7], 0 }, { [1, 1], 1 },
        { [64, 70], 1 }, { [70, 64], 0 }, { [33, 9], -1 }, { [16, 3, 5, 5], 0 }, { [3, 100], 0 }, { [40, 1], 1 }, { [5, 200], 1 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Dequantize_and_the_largest_error_are_those_of_the_per_value_definition(long[] dims, int axis)
    {
        var rng = new Random(17);
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        var weights = Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2) - 1) * 3).ToArray();
        var plan = QuantizedLinear.Weight(weights, dims, Math.Max(axis, 0), perChannel: axis >= 0);

        Assert.Equal(PlainDequantize(plan), plan.Dequantize());
        Assert.Equal(PlainMaxError(plan, weights), plan.MaxAbsError(weights));

        // NaN anywhere makes the error NaN, as Math.Max does; infinities are errors like any other.
        var withNaN = (float[])weights.Clone();
        withNaN[count / 2] = float.NaN;
        Assert.True(double.IsNaN(PlainMaxError(plan, withNaN)));
        Assert.True(double.IsNaN(plan.MaxAbsError(withNaN)));
        var withInfinity = (float[])weights.Clone();
        withInfinity[0] = float.NegativeInfinity;
        Assert.Equal(PlainMaxError(plan, withInfinity), plan.MaxAbsError(withInfinity));
        Assert.Throws<ArgumentException>(() => plan.MaxAbsError(weights.AsSpan(1)));
    }

    [Fact]
    public void Row_kernels_multiply_each_value_once_as_a_scalar_loop_does()
    {
        var rng = new Random(5);
        for (var n = 0; n <= 67; n++)
        {
            var row = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5) * 1e3f).ToArray();
            var factors = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() * 7).ToArray();
            var factor = (float)rng.NextDouble() * 0.37f;

            var byScalar = (float[])row.Clone();
            RowKernels.Multiply(byScalar, factor);
            var byVector = (float[])row.Clone();
            RowKernels.Multiply(byVector, factors);

            Assert.Equal(row.Select(v => v * factor), byScalar);
            Assert.Equal(row.Select((v, i) => v * factors[i]), byVector);
        }

        Assert.Throws<ArgumentException>(() => RowKernels.Multiply(new float[3], new float[2]));
    }
}
