using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

/// <summary>External data locations are confined to the model's folder; bad descriptors are coded errors.</summary>
public class ExternalDataSecurityTests
{
    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("sub/../../outside.bin")]
    [InlineData("..\\outside.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("C:\\Windows\\win.ini")]
    [InlineData("\\\\server\\share\\x.bin")]
    [InlineData("")]
    public void Locations_leaving_the_model_folder_are_MC1006(string location)
    {
        using var tmp = new TempDirectory();
        var folder = Directory.CreateDirectory(tmp.File("model")).FullName;
        File.WriteAllBytes(tmp.File("outside.bin"), new byte[16]);
        var proto = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [4], location, 0, 16));
        var path = Path.Combine(folder, "m.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        var e = Assert.Throws<ModelCompressException>(() => OnnxModel.Load(path));
        Assert.Equal(location.Length == 0 ? "MC1009" : "MC1006", e.Code);
    }

    [Fact]
    public void An_escaping_location_is_refused_before_the_file_is_touched()
    {
        // The target is unreadable: if it were opened (or even stat'ed for a size), the error would be an I/O error.
        using var tmp = new TempDirectory();
        var folder = Directory.CreateDirectory(tmp.File("model")).FullName;
        var secret = tmp.File("secret.bin");
        File.WriteAllBytes(secret, new byte[16]);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secret, UnixFileMode.None);
        }

        var proto = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [4], "../secret.bin", 0, 16));
        Assert.Equal("MC1006", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(proto, folder)).Code);
    }

    [Fact]
    public void A_symlink_pointing_outside_the_folder_is_MC1006_and_one_inside_is_fine()
    {
        using var tmp = new TempDirectory();
        var folder = Directory.CreateDirectory(tmp.File("model")).FullName;
        File.WriteAllBytes(tmp.File("outside.bin"), new byte[16]);
        File.WriteAllBytes(Path.Combine(folder, "inside.bin"), new byte[16]);
        File.CreateSymbolicLink(Path.Combine(folder, "escape.bin"), tmp.File("outside.bin"));
        File.CreateSymbolicLink(Path.Combine(folder, "alias.bin"), Path.Combine(folder, "inside.bin"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "updir"), tmp.FullPath);

        foreach (var location in new[] { "escape.bin", "updir/outside.bin" })
        {
            var bad = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [4], location, 0, 16));
            Assert.Equal("MC1006", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(bad, folder)).Code);
        }

        var good = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [4], "alias.bin", 0, 16));
        Assert.Equal(new float[4], ProtoModels.Load(good, folder).Graph.Initializers["w"].ToFloatArray());
    }

    [Fact]
    public void Missing_data_file_is_MC1007()
    {
        using var tmp = new TempDirectory();
        var proto = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [4], "nothere.data", 0, 16));
        Assert.Equal("MC1007", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(proto, tmp.FullPath)).Code);
    }

    [Theory]
    [InlineData(0L, 32L)]
    [InlineData(8L, 16L)]
    [InlineData(100L, null)]
    [InlineData(long.MaxValue, 16L)]
    public void Range_beyond_the_data_file_is_MC1008(long offset, long? length)
    {
        using var tmp = new TempDirectory();
        File.WriteAllBytes(tmp.File("w.data"), new byte[16]);
        var proto = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [4], "w.data", offset, length));
        Assert.Equal("MC1008", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(proto, tmp.FullPath)).Code);
    }

    [Fact]
    public void Length_that_does_not_match_the_dims_is_MC1005()
    {
        using var tmp = new TempDirectory();
        File.WriteAllBytes(tmp.File("w.data"), new byte[64]);
        var proto = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [1L << 40], "w.data", 0, 64));
        Assert.Equal("MC1005", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(proto, tmp.FullPath)).Code);
    }

    [Theory]
    [InlineData("offset", "-5")]
    [InlineData("offset", "abc")]
    [InlineData("length", "1e3")]
    public void Malformed_numbers_are_MC1009(string key, string value)
    {
        using var tmp = new TempDirectory();
        File.WriteAllBytes(tmp.File("w.data"), new byte[16]);
        var tensor = ProtoModels.External("w", TensorDataType.Float, [4], "w.data", 0, 16);
        tensor.ExternalData.Single(e => e.Key == key).Value = value;
        Assert.Equal("MC1009", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(ProtoModels.WithInitializer(tensor), tmp.FullPath)).Code);
    }

    [Fact]
    public void External_data_of_a_model_read_from_bytes_needs_a_base_folder_MC1010()
    {
        var proto = ProtoModels.WithInitializer(ProtoModels.External("w", TensorDataType.Float, [4], "w.data", 0, 16));
        Assert.Equal("MC1010", Assert.Throws<ModelCompressException>(() => ProtoModels.Load(proto)).Code);
    }
}
