using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Onnx.Proto;

namespace ModelCompress.Onnx.Tests;

public class TensorTests
{
    [Fact]
    public void Float_tensor_exposes_dims_count_and_values()
    {
        var t = OnnxTensor.FromFloats("w", [2, 3], [1, 2, 3, 4, 5, 6]);
        Assert.Equal("w", t.Name);
        Assert.Equal(TensorDataType.Float, t.DataType);
        Assert.Equal([2L, 3L], t.Dims);
        Assert.Equal(6, t.ElementCount);
        Assert.Equal(24, t.ByteLength);
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.AsSpan<float>().ToArray());
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.ToFloatArray());
    }

    [Fact]
    public void Dims_are_a_copy_so_callers_cannot_change_the_tensor()
    {
        var t = OnnxTensor.FromFloats("w", [2], [1, 2]);
        t.Dims[0] = 99;
        Assert.Equal(2, t.Dim(0));
    }

    [Fact]
    public void AsSpan_of_a_loaded_raw_tensor_does_not_copy()
    {
        var model = OnnxModel.FromBytes(SampleModels.Mlp().ToBytes());
        var w = model.Graph.Initializers["fc1.weight"];
        var a = w.AsSpan<float>();
        var b = w.AsSpan<float>();
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b)));
        Assert.True(w.IsDataInMemory);
    }

    [Fact]
    public void AsSpan_with_a_type_of_the_wrong_width_is_MC1011()
    {
        var t = OnnxTensor.FromFloats("w", [2], [1, 2]);
        var e = Assert.Throws<ModelCompressException>(() => t.AsSpan<double>().Length);
        Assert.Equal("MC1011", e.Code);
        Assert.Equal(8, t.AsSpan<byte>().Length);
        Assert.Equal(2, t.AsSpan<int>().Length);
    }

    [Fact]
    public void Float16_and_BFloat16_widen_exactly_and_round_to_nearest_even()
    {
        float[] values = [0f, 1f, -2.5f, 65504f, 1e-3f, 3.14159f];
        var f16 = OnnxTensor.FromFloat16("h", [6], values);
        Assert.Equal(values.Select(v => (float)(Half)v), f16.ToFloatArray());
        Assert.Equal(TensorDataType.Float16, f16.DataType);
        Assert.Equal(12, f16.ByteLength);

        var bf16 = OnnxTensor.FromBFloat16("b", [6], values);
        var back = bf16.ToFloatArray();
        Assert.Equal([0f, 1f, -2.5f], back[..3]);
        // bfloat16 keeps 8 mantissa bits: pi becomes 3.140625 (0x4049), 65504 rounds to 65536 (0x4780).
        Assert.Equal(3.140625f, back[5]);
        Assert.Equal(65536f, back[3]);
        Assert.Equal((ushort)0x4049, bf16.AsSpan<ushort>()[5]);
    }

    [Fact]
    public void BFloat16_rounding_ties_go_to_even()
    {
        // 1 + 2^-8 lies exactly between bfloat16 values 1 and 1 + 2^-7: the tie goes to the even mantissa (1.0).
        var tie = BitConverter.Int32BitsToSingle(0x3F808000);
        var aboveTie = BitConverter.Int32BitsToSingle(0x3F808001);
        var t = OnnxTensor.FromBFloat16("b", [2], [tie, aboveTie]);
        Assert.Equal([(ushort)0x3F80, (ushort)0x3F81], t.AsSpan<ushort>().ToArray());
    }

    [Fact]
    public void Int4_packs_two_per_byte_low_nibble_first_and_unpacks_with_sign()
    {
        sbyte[] values = [1, -1, 7, -8, 3];
        var t = OnnxTensor.FromInt4("q", [5], values);
        Assert.Equal(TensorDataType.Int4, t.DataType);
        Assert.Equal(3, t.ByteLength);
        Assert.Equal([(byte)0xF1, (byte)0x87, (byte)0x03], t.AsSpan<byte>().ToArray());
        Assert.Equal(values, t.UnpackInt4());
        Assert.Equal([1f, -1f, 7f, -8f, 3f], t.ToFloatArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxTensor.FromInt4("q", [1], [8]));
    }

    [Fact]
    public void UInt4_packs_and_unpacks()
    {
        byte[] values = [0, 15, 9, 4];
        var t = OnnxTensor.FromUInt4("q", [2, 2], values);
        Assert.Equal([(byte)0xF0, (byte)0x49], t.AsSpan<byte>().ToArray());
        Assert.Equal(values, t.UnpackUInt4());
        Assert.Equal([0L, 15, 9, 4], t.ToInt64Array());
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxTensor.FromUInt4("q", [1], [16]));
    }

    [Fact]
    public void Integer_factories_convert_to_float_and_int64()
    {
        Assert.Equal([-128f, 0, 127], OnnxTensor.FromInt8("a", [3], [-128, 0, 127]).ToFloatArray());
        Assert.Equal([0f, 255], OnnxTensor.FromUInt8("a", [2], [0, 255]).ToFloatArray());
        Assert.Equal([-7f, 1 << 20], OnnxTensor.FromInt32("a", [2], [-7, 1 << 20]).ToFloatArray());
        Assert.Equal([-1L, 1L << 40], OnnxTensor.FromInt64("a", [2], [-1, 1L << 40]).ToInt64Array());
        Assert.Equal([1f, 0f], OnnxTensor.FromBools("a", [2], [true, false]).ToFloatArray());
        Assert.Equal([0.5f], OnnxTensor.FromDoubles("a", [], [0.5]).ToFloatArray());
    }

    [Fact]
    public void Scalar_has_rank_zero_and_one_element()
    {
        var t = OnnxTensor.FromFloats("s", [], [42f]);
        Assert.Equal(0, t.Rank);
        Assert.Equal(1, t.ElementCount);
    }

    [Fact]
    public void Factory_with_a_count_that_does_not_match_dims_is_MC1005()
    {
        var e = Assert.Throws<ModelCompressException>(() => OnnxTensor.FromFloats("w", [2, 2], [1, 2, 3]));
        Assert.Equal("MC1005", e.Code);
    }

    [Fact]
    public void Negative_dim_is_MC1004()
    {
        var e = Assert.Throws<ModelCompressException>(() => OnnxTensor.FromFloats("w", [-1], []));
        Assert.Equal("MC1004", e.Code);
    }

    [Theory]
    [InlineData(TensorDataType.Int8, new[] { -3, 0, 100 }, new[] { -3f, 0f, 100f })]
    [InlineData(TensorDataType.UInt8, new[] { 0, 200, 255 }, new[] { 0f, 200f, 255f })]
    [InlineData(TensorDataType.Int16, new[] { -30000, 0, 5 }, new[] { -30000f, 0f, 5f })]
    [InlineData(TensorDataType.Int32, new[] { int.MinValue, 0, 9 }, new[] { -2147483648f, 0f, 9f })]
    public void Narrow_types_in_int32_data_are_read_as_the_spec_says(TensorDataType type, int[] stored, float[] expected)
    {
        var proto = new TensorProto { Name = "t", DataType = (int)type };
        proto.Dims.Add(stored.Length);
        proto.Int32Data.AddRange(stored);
        var t = ProtoModels.Load(ProtoModels.WithInitializer(proto)).Graph.Initializers["t"];
        Assert.Equal(expected, t.ToFloatArray());
    }

    [Fact]
    public void Float16_bit_patterns_and_packed_int4_in_int32_data_are_read()
    {
        var half = new TensorProto { Name = "h", DataType = (int)TensorDataType.Float16 };
        half.Dims.Add(2);
        half.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)1.5f));
        half.Int32Data.Add(BitConverter.HalfToUInt16Bits((Half)(-2f)));
        Assert.Equal([1.5f, -2f], ProtoModels.Load(ProtoModels.WithInitializer(half)).Graph.Initializers["h"].ToFloatArray());

        // Three int4 values need two int32_data entries, each one packed byte: (1, -2) and (5, pad).
        var int4 = new TensorProto { Name = "q", DataType = (int)TensorDataType.Int4 };
        int4.Dims.Add(3);
        int4.Int32Data.Add(0xE1);
        int4.Int32Data.Add(0x05);
        Assert.Equal([(sbyte)1, -2, 5], ProtoModels.Load(ProtoModels.WithInitializer(int4)).Graph.Initializers["q"].UnpackInt4());
    }

    [Fact]
    public void Float_data_int64_data_and_double_data_are_read()
    {
        var f = new TensorProto { Name = "f", DataType = (int)TensorDataType.Float, Dims = { 2 }, FloatData = { 1.25f, -3f } };
        var l = new TensorProto { Name = "l", DataType = (int)TensorDataType.Int64, Dims = { 2 }, Int64Data = { -5, 1L << 50 } };
        var d = new TensorProto { Name = "d", DataType = (int)TensorDataType.Double, Dims = { 1 }, DoubleData = { 0.1 } };
        Assert.Equal([1.25f, -3f], ProtoModels.Load(ProtoModels.WithInitializer(f)).Graph.Initializers["f"].AsSpan<float>().ToArray());
        Assert.Equal([-5L, 1L << 50], ProtoModels.Load(ProtoModels.WithInitializer(l)).Graph.Initializers["l"].ToInt64Array());
        Assert.Equal(0.1, ProtoModels.Load(ProtoModels.WithInitializer(d)).Graph.Initializers["d"].AsSpan<double>()[0]);
    }

    [Fact]
    public void Typed_field_tensor_is_written_back_in_its_own_representation()
    {
        var f = new TensorProto { Name = "f", DataType = (int)TensorDataType.Float, Dims = { 2 }, FloatData = { 1.25f, -3f } };
        var bytes = ProtoModels.WithInitializer(f).ToByteArray();
        Assert.Equal(bytes, OnnxModel.FromBytes(bytes).ToBytes());
    }

    [Fact]
    public void String_tensors_keep_their_strings()
    {
        var t = OnnxTensor.FromStrings("labels", [2], ["cat", "dog"]);
        Assert.Equal(["cat", "dog"], t.Strings);
        Assert.Equal("MC1011", Assert.Throws<ModelCompressException>(() => t.ToFloatArray()).Code);
        var m = new OnnxModelBuilder();
        m.Graph.Initializer(t);
        m.Graph.Node("Identity", ["labels"], ["y"]);
        m.Graph.Output("y", TensorDataType.String, 2);
        var back = OnnxModel.FromBytes(m.Build().ToBytes());
        Assert.Equal(["cat", "dog"], back.Graph.Initializers["labels"].Strings);
    }

    [Fact]
    public void WithName_and_Reshape_share_data_and_keep_the_original()
    {
        var t = OnnxTensor.FromFloats("a", [2, 3], [1, 2, 3, 4, 5, 6]);
        var renamed = t.WithName("b");
        var reshaped = t.Reshape(3, 2);
        Assert.Equal("a", t.Name);
        Assert.Equal("b", renamed.Name);
        Assert.Equal([3L, 2L], reshaped.Dims);
        Assert.True(t.DataEquals(renamed));
        Assert.False(t.DataEquals(reshaped));
        Assert.Throws<ArgumentException>(() => t.Reshape(4));
    }

    [Fact]
    public void Generated_tensor_produces_its_bytes_on_demand_and_checks_their_count()
    {
        var calls = 0;
        var t = OnnxTensor.FromGenerator("g", TensorDataType.Float, [4], s =>
        {
            calls++;
            s.Write(MemoryMarshal.AsBytes<float>([1f, 2f, 3f, 4f]));
        });
        Assert.Equal(0, calls);
        Assert.Equal([1f, 2f, 3f, 4f], t.ToFloatArray());
        Assert.True(calls >= 1);

        var bad = OnnxTensor.FromGenerator("g", TensorDataType.Float, [4], s => s.Write(new byte[3]));
        Assert.Throws<InvalidOperationException>(() => bad.ToFloatArray());
    }

    [Fact]
    public void Raw_bytes_round_trip_through_stream_and_copy()
    {
        var t = OnnxTensor.FromRawBytes("r", TensorDataType.UInt16, [2], [1, 0, 2, 0]);
        using var ms = new MemoryStream();
        t.CopyRawDataTo(ms);
        Assert.Equal([1, 0, 2, 0], ms.ToArray());
        using var s = t.OpenRawDataStream();
        Assert.Equal(4, s.Length);
        Assert.Equal(ByteString.CopyFrom(1, 0, 2, 0).ToByteArray(), t.ToRawBytes());
    }
}
