using System.Globalization;

namespace ModelCompress.Recipe;

/// <summary>An allowed interval for a number, with its wording for MC2007's fix ("a number from 0 to 1").</summary>
internal readonly record struct NumberRange(double Min, double Max, bool MinOpen = false, bool MaxOpen = false)
{
    public static NumberRange Unit { get; } = new(0, 1);

    public static NumberRange OpenUnit { get; } = new(0, 1, MinOpen: true, MaxOpen: true);

    public static NumberRange NonNegative { get; } = new(0, double.PositiveInfinity);

    public static NumberRange Positive { get; } = new(0, double.PositiveInfinity, MinOpen: true);

    public static NumberRange Any { get; } = new(double.NegativeInfinity, double.PositiveInfinity);

    /// <summary>No upper bound beyond the type's own (an int's limit is checked when it is parsed).</summary>
    public static NumberRange AtLeast(double min) => new(min, double.PositiveInfinity);

    public bool Contains(double v) =>
        (MinOpen ? v > Min : v >= Min) && (MaxOpen ? v < Max : v <= Max);

    public string Describe(string noun)
    {
        var lo = double.IsNegativeInfinity(Min) ? null : Format(Min);
        var hi = double.IsPositiveInfinity(Max) ? null : Format(Max);
        if (lo is null && hi is null)
        {
            return noun;
        }

        if (hi is null)
        {
            return MinOpen ? $"{noun} greater than {lo}" : $"{noun} of at least {lo}";
        }

        if (lo is null)
        {
            return MaxOpen ? $"{noun} less than {hi}" : $"{noun} of at most {hi}";
        }

        if (!MinOpen && !MaxOpen)
        {
            return $"{noun} from {lo} to {hi}";
        }

        var left = MinOpen ? $"greater than {lo}" : $"at least {lo}";
        var right = MaxOpen ? $"less than {hi}" : $"at most {hi}";
        return $"{noun} {left} and {right}";
    }

    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
