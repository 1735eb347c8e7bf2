namespace ModelCompress.Kernels;

/// <summary>
/// A row count known at JIT time. Micro-kernels are generic over a struct implementing this, so the JIT compiles
/// one copy per row count with the unused accumulator rows removed (no branches left in the inner loop).
/// </summary>
internal interface IRowCount
{
    static abstract int Count { get; }
}

internal readonly struct Rows1 : IRowCount
{
    public static int Count => 1;
}

internal readonly struct Rows2 : IRowCount
{
    public static int Count => 2;
}

internal readonly struct Rows3 : IRowCount
{
    public static int Count => 3;
}

internal readonly struct Rows4 : IRowCount
{
    public static int Count => 4;
}

internal readonly struct Rows5 : IRowCount
{
    public static int Count => 5;
}

internal readonly struct Rows6 : IRowCount
{
    public static int Count => 6;
}
