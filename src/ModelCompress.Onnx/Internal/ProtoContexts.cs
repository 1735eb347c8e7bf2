using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx.Internal;

/// <summary>What reading a model needs beyond the proto itself: where external data may be found, and the file name for errors.</summary>
internal sealed class ProtoReadContext(ExternalDataResolver resolver, string? file)
{
    public ExternalDataResolver Resolver { get; } = resolver;

    public string? File { get; } = file;

    public OnnxTensor Tensor(TensorProto proto) => OnnxTensor.FromProto(proto, Resolver, File);
}

/// <summary>Decides how each tensor is written: inline, or into an external data file.</summary>
internal abstract class TensorProtoWriter
{
    /// <summary>The proto for <paramref name="tensor"/>; <paramref name="isInitializer"/> is false for attribute tensors.</summary>
    public abstract TensorProto Write(OnnxTensor tensor, bool isInitializer);
}

/// <summary>Writes every tensor inline (reading external data as needed).</summary>
internal sealed class InlineTensorWriter : TensorProtoWriter
{
    public static InlineTensorWriter Instance { get; } = new();

    public override TensorProto Write(OnnxTensor tensor, bool isInitializer) => tensor.ToInlineProto();
}
