using System.Buffers.Binary;
using System.Text;
using ModelCompress.Data;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Tests.Engine;

public sealed class NpyFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mc-npy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<NdArray> Arrays() => new()
    {
        NdArray.FromFloats([1.5f, -2f, 3.25f, 0f, float.MaxValue, float.Epsilon], 2, 3),
        NdArray.FromInt64([long.MinValue, -1, 0, long.MaxValue], 4),
        new NdArray(NdElementType.UInt8, [2, 2, 1], new byte[] { 0, 1, 254, 255 }),
        new NdArray(NdElementType.Int8, [3], new sbyte[] { -128, 0, 127 }),
        new NdArray(NdElementType.Int32, [1, 2], new[] { int.MinValue, 7 }),
        new NdArray(NdElementType.Float64, [], new[] { Math.PI }),
        new NdArray(NdElementType.Bool, [2], new[] { true, false }),
        new NdArray(NdElementType.Float16, [2], new[] { (Half)1.5, (Half)(-0.25) }),
    };

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Npy_round_trips_type_shape_and_values(NdArray array)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, array);
        Assert.Equal(0, (stream.Length - array.Length * NdArray.ElementSize(array.ElementType)) % 64);
        stream.Position = 0;
        var back = NpyReader.Read(stream);
        Assert.Equal(array.ElementType, back.ElementType);
        Assert.Equal(array.Shape, back.Shape);
        Assert.Equal(array.Data, back.Data);
    }

    [Fact]
    public void Npy_reader_accepts_big_endian_and_version_2_headers()
    {
        var header = "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 1), }\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, .. "NUMPY"u8, 2, 0]);
        var len = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
        stream.Write(len);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var value = new byte[4];
        BinaryPrimitives.WriteSingleBigEndian(value, 2.5f);
        stream.Write(value);
        BinaryPrimitives.WriteSingleBigEndian(value, -1f);
        stream.Write(value);
        stream.Position = 0;

        var array = NpyReader.Read(stream);

        Assert.Equal([2L, 1L], array.Shape);
        Assert.Equal(new[] { 2.5f, -1f }, array.ToFloatArray());
    }

    [Fact]
    public void Truncated_npy_file_is_MC3003_naming_the_file()
    {
        var path = Path.Combine(_dir, "bad.npy");
        using (var stream = new MemoryStream())
        {
            NpyWriter.Write(stream, NdArray.FromFloats(new float[16], 16));
            File.WriteAllBytes(path, stream.ToArray()[..^5]);
        }

        var ex = Assert.Throws<ModelCompressException>(() => NpyReader.ReadFile(path));
        Assert.Equal("MC3003", ex.Code);
        Assert.Equal(path, ex.Diagnostic.File);
        Assert.Contains("ends early", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fortran_ordered_and_structured_arrays_are_rejected_with_a_reason()
    {
        foreach (var (header, reason) in new[]
        {
            ("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "Fortran"),
            ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured"),
        })
        {
            var path = Path.Combine(_dir, reason + ".npy");
            var bytes = new List<byte> { 0x93 };
            bytes.AddRange("NUMPY"u8.ToArray());
            bytes.AddRange([1, 0, (byte)header.Length, 0]);
            bytes.AddRange(Encoding.ASCII.GetBytes(header));
            bytes.AddRange(new byte[16]);
            File.WriteAllBytes(path, [.. bytes]);
            var ex = Assert.Throws<ModelCompressException>(() => NpyReader.ReadFile(path));
            Assert.Equal("MC3003", ex.Code);
            Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Npz_round_trips_named_arrays_and_writes_identical_bytes_twice()
    {
        var arrays = new Dictionary<string, NdArray>
        {
            ["input_ids"] = NdArray.FromInt64([1, 2, 3, 4], 2, 2),
            ["x"] = NdArray.FromFloats([0.5f, 1f], 2, 1),
        };
        var a = Path.Combine(_dir, "a.npz");
        var b = Path.Combine(_dir, "b.npz");
        NpzArchive.WriteFile(a, arrays);
        NpzArchive.WriteFile(b, arrays);

        var back = NpzArchive.ReadFile(a);

        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal(["input_ids", "x"], back.Keys);
        Assert.Equal(arrays["input_ids"].Data, back["input_ids"].Data);
        Assert.Equal(arrays["x"].Shape, back["x"].Shape);
    }

    [Fact]
    public void Missing_data_file_is_MC3002()
    {
        var ex = Assert.Throws<ModelCompressException>(() => NpzArchive.ReadFile(Path.Combine(_dir, "nope.npz")));
        Assert.Equal("MC3002", ex.Code);
    }
}
