namespace ModelCompress.Testing;

/// <summary>One op type's share of a profiled run (<see cref="OrtKernelProfile"/>).</summary>
/// <param name="Nodes">Distinct nodes of this type that ran.</param>
/// <param name="Int8Nodes">Those whose first input is uint8 or int8.</param>
/// <param name="Milliseconds">Kernel time per run.</param>
/// <param name="FloatMilliseconds">Kernel time per run of the nodes without an 8-bit first input.</param>
public sealed record OpKernelTotals(int Nodes, int Int8Nodes, double Milliseconds, double FloatMilliseconds);
