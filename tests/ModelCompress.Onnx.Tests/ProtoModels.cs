using Google.Protobuf;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx.Tests;

/// <summary>Hand-made wire-format models (through the internal schema) for cases the public API refuses to build.</summary>
internal static class ProtoModels
{
    /// <summary>A model whose graph has <paramref name="tensor"/> as an initializer, passed through Identity to output "y".</summary>
    public static ModelProto WithInitializer(TensorProto tensor)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Initializer.Add(tensor);
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "id", Input = { tensor.Name }, Output = { "y" } });
        graph.Output.Add(new ValueInfoProto
        {
            Name = "y",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensor.DataType } },
        });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }

    /// <summary>A tensor proto with the given header and raw bytes.</summary>
    public static TensorProto Raw(string name, TensorDataType type, long[] dims, byte[] raw)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>A tensor proto stored externally at <paramref name="location"/>.</summary>
    public static TensorProto External(string name, TensorDataType type, long[] dims, string location, long offset, long? length)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.AddRange(dims);
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (length is { } l)
        {
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = l.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        return t;
    }

    public static OnnxModel Load(ModelProto proto, string? baseDirectory = null) =>
        OnnxModel.FromBytes(proto.ToByteArray(), new OnnxLoadOptions { BaseDirectory = baseDirectory });
}
