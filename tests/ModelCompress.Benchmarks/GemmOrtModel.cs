using ModelCompress.Onnx;

namespace ModelCompress.Benchmarks;

/// <summary>Builds the one-node MatMulInteger model the ONNX Runtime baseline runs.</summary>
internal static class GemmOrtModel
{
    /// <summary>
    /// Model bytes: A uint8 [M, K] (M symbolic) → MatMulInteger(A, B) → C int32 [M, N], with B an int8 initializer and
    /// no zero points (our kernels' inputs exactly: uint8 activations, symmetric int8 weights).
    /// </summary>
    public static byte[] MatMulInteger(sbyte[] b, int k, int n)
    {
        var builder = new OnnxModelBuilder("gemm").Opset(13);
        var g = builder.Graph;
        g.Input("A", TensorDataType.UInt8, "M", k);
        var weights = g.Initializer(OnnxTensor.FromInt8("B", [k, n], b));
        g.Node("MatMulInteger", ["A", weights], ["C"]);
        g.Output("C", TensorDataType.Int32, "M", n);
        return builder.Build().ToBytes();
    }
}
