namespace ModelCompress.Quantization;

/// <summary>The α values SmoothQuant's automatic search tries.</summary>
public static class AlphaGrid
{
    /// <summary>
    /// low, low + step, ... up to high, stepped by an integer count so rounding never drops an end: n = ⌊(high − low)
    /// / step⌋ steps (with a 1e-9 tolerance), and high itself appended when the last step falls short of it. Values are
    /// rounded to 10 decimals so reports show 0.35, not 0.35000000000000003.
    /// </summary>
    public static IReadOnlyList<double> Values(double low, double high, double step)
    {
        if (!(step > 0) || !double.IsFinite(low) || !double.IsFinite(high) || high < low)
        {
            throw new ArgumentOutOfRangeException(nameof(step), $"alpha range [{low}, {high}] with step {step} is not a valid grid");
        }

        var steps = (int)Math.Floor(((high - low) / step) + 1e-9);
        var values = new List<double>(steps + 2);
        for (var i = 0; i <= steps; i++)
        {
            values.Add(Math.Round(low + (i * step), 10));
        }

        if (values[^1] < high - 1e-9)
        {
            values.Add(Math.Round(high, 10));
        }

        return values;
    }
}
