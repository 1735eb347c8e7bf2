using System.Globalization;

namespace ModelCompress.Data;

/// <summary>
/// A dense, row-major (C order) n-dimensional array read from a data file. <see cref="Data"/> is a typed CLR array
/// matching <see cref="ElementType"/> (<c>float[]</c>, <c>byte[]</c>, <c>long[]</c>, ...; <see cref="NdElementType.Bool"/>
/// is <c>bool[]</c>, <see cref="NdElementType.Float16"/> is <c>Half[]</c>).
/// </summary>
public sealed class NdArray
{
    private readonly long[] _shape;

    /// <summary>Creates an array; the data length must equal the product of the shape.</summary>
    public NdArray(NdElementType elementType, IReadOnlyList<long> shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        _shape = [.. shape];
        var count = ElementCount(_shape);
        if (data.LongLength != count)
        {
            throw new ArgumentException(
                $"data has {data.LongLength} elements but shape {FormatShape(_shape)} needs {count}", nameof(data));
        }

        if (data.GetType().GetElementType() != ClrType(elementType))
        {
            throw new ArgumentException($"data is {data.GetType().Name}, element type {elementType} needs {ClrType(elementType).Name}[]", nameof(data));
        }

        ElementType = elementType;
        Data = data;
    }

    /// <summary>The element type.</summary>
    public NdElementType ElementType { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The elements in row-major order, as a typed array.</summary>
    public Array Data { get; }

    /// <summary>The number of elements.</summary>
    public long Length => Data.LongLength;

    /// <summary>Wraps a float array.</summary>
    public static NdArray FromFloats(float[] data, params long[] shape) => new(NdElementType.Float32, shape, data);

    /// <summary>Wraps an int64 array.</summary>
    public static NdArray FromInt64(long[] data, params long[] shape) => new(NdElementType.Int64, shape, data);

    /// <summary>The number of elements of <paramref name="shape"/> (1 for a scalar).</summary>
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (var d in shape)
        {
            n = checked(n * d);
        }

        return n;
    }

    /// <summary>Formats a shape as <c>[2, 3]</c> for messages.</summary>
    public static string FormatShape(IEnumerable<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>The CLR element type used for <paramref name="type"/>.</summary>
    public static Type ClrType(NdElementType type) => type switch
    {
        NdElementType.Float32 => typeof(float),
        NdElementType.Float64 => typeof(double),
        NdElementType.Float16 => typeof(Half),
        NdElementType.Int8 => typeof(sbyte),
        NdElementType.UInt8 => typeof(byte),
        NdElementType.Int16 => typeof(short),
        NdElementType.UInt16 => typeof(ushort),
        NdElementType.Int32 => typeof(int),
        NdElementType.UInt32 => typeof(uint),
        NdElementType.Int64 => typeof(long),
        NdElementType.UInt64 => typeof(ulong),
        NdElementType.Bool => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Size in bytes of one element.</summary>
    public static int ElementSize(NdElementType type) => type switch
    {
        NdElementType.Int8 or NdElementType.UInt8 or NdElementType.Bool => 1,
        NdElementType.Float16 or NdElementType.Int16 or NdElementType.UInt16 => 2,
        NdElementType.Float32 or NdElementType.Int32 or NdElementType.UInt32 => 4,
        _ => 8,
    };

    /// <summary>The elements converted to float32 (integers exactly where representable).</summary>
    public float[] ToFloatArray()
    {
        if (ElementType == NdElementType.Float32)
        {
            return (float[])((float[])Data).Clone();
        }

        var result = new float[Length];
        for (long i = 0; i < result.LongLength; i++)
        {
            result[i] = (float)GetDouble(i);
        }

        return result;
    }

    /// <summary>The elements converted to int64 (floats truncated toward zero).</summary>
    public long[] ToInt64Array()
    {
        var result = new long[Length];
        for (long i = 0; i < result.LongLength; i++)
        {
            // Dispatch on ElementType, not on the array's runtime type: the CLR lets byte[] pass as sbyte[] (and int[]
            // as uint[]), so a type pattern could pick the wrong signedness.
            result[i] = ElementType switch
            {
                NdElementType.Int64 => ((long[])Data)[i],
                NdElementType.UInt64 => unchecked((long)((ulong[])Data)[i]),
                NdElementType.Int32 => ((int[])Data)[i],
                NdElementType.UInt32 => ((uint[])Data)[i],
                NdElementType.Int16 => ((short[])Data)[i],
                NdElementType.UInt16 => ((ushort[])Data)[i],
                NdElementType.Int8 => ((sbyte[])Data)[i],
                NdElementType.UInt8 => ((byte[])Data)[i],
                NdElementType.Bool => ((bool[])Data)[i] ? 1 : 0,
                _ => (long)GetDouble(i),
            };
        }

        return result;
    }

    /// <summary>Element <paramref name="index"/> (row-major) as a double.</summary>
    public double GetDouble(long index) => ElementType switch
    {
        NdElementType.Float32 => ((float[])Data)[index],
        NdElementType.Float64 => ((double[])Data)[index],
        NdElementType.Float16 => (double)((Half[])Data)[index],
        NdElementType.Int8 => ((sbyte[])Data)[index],
        NdElementType.UInt8 => ((byte[])Data)[index],
        NdElementType.Int16 => ((short[])Data)[index],
        NdElementType.UInt16 => ((ushort[])Data)[index],
        NdElementType.Int32 => ((int[])Data)[index],
        NdElementType.UInt32 => ((uint[])Data)[index],
        NdElementType.Int64 => ((long[])Data)[index],
        NdElementType.UInt64 => ((ulong[])Data)[index],
        NdElementType.Bool => ((bool[])Data)[index] ? 1 : 0,
        _ => throw new InvalidOperationException("unknown element type"),
    };

    /// <summary>
    /// Rows <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/> along the first axis (the
    /// sample axis), keeping the rank.
    /// </summary>
    public NdArray Slice(long start, long count)
    {
        if (_shape.Length == 0)
        {
            throw new InvalidOperationException("a scalar has no first axis to slice");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > _shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"rows {start}..{start + count} exceed {_shape[0]}");
        }

        var rowSize = Length / Math.Max(1, _shape[0]);
        var shape = (long[])_shape.Clone();
        shape[0] = count;
        var data = Array.CreateInstance(Data.GetType().GetElementType()!, count * rowSize);
        Array.Copy(Data, start * rowSize, data, 0, count * rowSize);
        return new NdArray(ElementType, shape, data);
    }

    /// <summary>The same elements under another shape with the same element count.</summary>
    public NdArray Reshape(IReadOnlyList<long> shape) => new(ElementType, shape, Data);
}
