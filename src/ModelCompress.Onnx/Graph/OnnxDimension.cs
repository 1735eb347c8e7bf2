using System.Globalization;

namespace ModelCompress.Onnx;

/// <summary>
/// One axis of a value's shape: a known size (<see cref="Value"/>), a symbolic name such as <c>"batch"</c>
/// (<see cref="Param"/>), or neither (unknown). Converts implicitly from <see cref="long"/> and <see cref="string"/>,
/// so shapes can be written as <c>["batch", 128, 384]</c>.
/// </summary>
/// <param name="Value">The size when known.</param>
/// <param name="Param">The symbolic name when the size is symbolic.</param>
public readonly record struct OnnxDimension(long? Value, string? Param)
{
    /// <summary>An axis of unknown size with no name.</summary>
    public static OnnxDimension Unknown => default;

    /// <summary>Whether the size is a known number.</summary>
    public bool IsKnown => Value.HasValue;

    /// <summary>A dimension of known size.</summary>
    public static implicit operator OnnxDimension(long value) => new(value, null);

    /// <summary>A symbolic dimension.</summary>
    public static implicit operator OnnxDimension(string param) => new(null, param);

    /// <summary>A dimension of known size.</summary>
    public static OnnxDimension FromInt64(long value) => new(value, null);

    /// <summary>A symbolic dimension.</summary>
    public static OnnxDimension FromString(string param) => new(null, param);

    /// <inheritdoc />
    public override string ToString() =>
        Value?.ToString(CultureInfo.InvariantCulture) ?? (string.IsNullOrEmpty(Param) ? "?" : Param);
}
