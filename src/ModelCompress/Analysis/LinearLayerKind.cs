namespace ModelCompress.Analysis;

/// <summary>The operator of a quantizable linear layer.</summary>
public enum LinearLayerKind
{
    /// <summary><c>MatMul(x, W)</c> with a constant 2-D W[K, N].</summary>
    MatMul,

    /// <summary><c>Gemm(x, W, C)</c> with a constant W ([K, N], or [N, K] with <c>transB</c>).</summary>
    Gemm,

    /// <summary><c>Conv(x, W, B)</c> with a constant kernel W[M, C/group, k…].</summary>
    Conv,
}
