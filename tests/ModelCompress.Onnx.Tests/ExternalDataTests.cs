using ModelCompress.Onnx.Proto;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

/// <summary>Saving and loading with external data: layout, laziness, determinism, in-place re-save, ORT compatibility.</summary>
public class ExternalDataTests
{
    private static readonly OrtInput[] GptInput = [OrtInput.Float("x", new DeterministicRandom(5).Uniform(2 * 8 * 64, 1f), 2, 8, 64)];

    [Fact]
    public void Big_initializers_go_to_an_aligned_data_file_beside_the_model()
    {
        using var tmp = new TempDirectory();
        var model = SampleModels.GptBlock();
        var path = tmp.File("gpt.onnx");
        model.Save(path, new OnnxSaveOptions { ExternalDataThreshold = 1024 });

        Assert.True(File.Exists(path + ".data"));
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var external = proto.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        Assert.Equal(model.Graph.Initializers.Values.Count(t => t.ByteLength >= 1024), external.Count);
        Assert.All(external, t =>
        {
            Assert.False(t.HasRawData);
            Assert.Equal("gpt.onnx.data", t.ExternalData.Single(e => e.Key == "location").Value);
            Assert.Equal(0, long.Parse(t.ExternalData.Single(e => e.Key == "offset").Value, System.Globalization.CultureInfo.InvariantCulture) % 4096);
        });
        Assert.Empty(Directory.GetFiles(tmp.FullPath, "*.tmp"));
        Assert.Empty(Directory.GetFiles(tmp.FullPath, ".*"));
    }

    [Fact]
    public void External_tensors_are_read_lazily_on_first_access()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("m.onnx");
        var w = OnnxTensor.FromFloats("w", [256], [.. Enumerable.Range(0, 256).Select(i => (float)i)]);
        var b = new OnnxModelBuilder();
        b.Graph.Input("x", TensorDataType.Float, 256).Initializer(w);
        b.Graph.Node("Add", ["x", "w"], ["y"]);
        b.Graph.Output("y", TensorDataType.Float, 256);
        b.Build().Save(path, new OnnxSaveOptions { ExternalDataThreshold = 1 });

        var loaded = OnnxModel.Load(path);
        var tensor = loaded.Graph.Initializers["w"];
        Assert.True(tensor.IsExternal);
        Assert.False(tensor.IsDataInMemory);
        Assert.Equal("m.onnx.data", tensor.ExternalLocation);

        // Change the data file after Load: the new bytes are what a first access sees, so Load read nothing.
        using (var f = new FileStream(path + ".data", FileMode.Open, FileAccess.Write))
        {
            f.Write(BitConverter.GetBytes(-1f));
        }

        Assert.Equal(-1f, tensor.ToFloatArray()[0]);
        Assert.Equal(255f, tensor.ToFloatArray()[255]);
    }

    [Fact]
    public void Saving_twice_gives_byte_identical_model_and_data_files()
    {
        using var tmp = new TempDirectory();
        var options = new OnnxSaveOptions { ExternalDataThreshold = 1024 };
        SampleModels.GptBlock(seed: 3).Save(tmp.File("a.onnx"), options with { ExternalDataFileName = "weights.bin" });
        SampleModels.GptBlock(seed: 3).Save(tmp.File("b.onnx"), options with { ExternalDataFileName = "weights.bin" });
        Assert.False(File.Exists(tmp.File("a.onnx.data")));
        // Both refer to "weights.bin"; the second overwrote the first's data file with identical bytes.
        Assert.Equal(File.ReadAllBytes(tmp.File("a.onnx")), File.ReadAllBytes(tmp.File("b.onnx")));

        using var other = new TempDirectory();
        SampleModels.GptBlock(seed: 3).Save(other.File("a.onnx"), options with { ExternalDataFileName = "weights.bin" });
        Assert.Equal(File.ReadAllBytes(tmp.File("weights.bin")), File.ReadAllBytes(other.File("weights.bin")));
    }

    [Fact]
    public void External_model_runs_in_onnx_runtime_with_bit_identical_outputs()
    {
        using var tmp = new TempDirectory();
        var inline = SampleModels.GptBlock().ToBytes();
        SampleModels.GptBlock().Save(tmp.File("gpt.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var expected = OrtRun.Run(inline, GptInput);
        var actual = OrtRun.Run(tmp.File("gpt.onnx"), GptInput);
        Assert.Equal(expected[0].RawBytes, actual[0].RawBytes);
    }

    [Fact]
    public void A_loaded_external_model_can_be_saved_over_itself()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("gpt.onnx");
        SampleModels.GptBlock().Save(path, new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var expected = OrtRun.Run(path, GptInput);

        // Reads from gpt.onnx.data while writing its replacement, then must not be left pointing at stale offsets.
        var model = OnnxModel.Load(path);
        model.Graph.RemoveInitializer("ln_1.bias");
        model.Graph.AddInitializer(OnnxTensor.FromFloats("ln_1.bias", [64], new float[64]));
        model.Save(path);
        Assert.All(model.Graph.Initializers.Values.Where(t => t.ByteLength >= 1024), t => Assert.True(t.IsExternal));
        Assert.True(SampleModels.GptBlock().Graph.Initializers["mlp.c_fc.weight"].DataEquals(model.Graph.Initializers["mlp.c_fc.weight"]));

        var reloaded = OnnxModel.Load(path);
        Assert.True(SampleModels.GptBlock().Graph.Initializers["mlp.c_fc.weight"].DataEquals(reloaded.Graph.Initializers["mlp.c_fc.weight"]));
        var actual = OrtRun.Run(path, GptInput);
        Assert.NotEqual(expected[0].RawBytes, actual[0].RawBytes); // the bias change is visible...
        model.Graph.SetInitializer(SampleModels.GptBlock().Graph.Initializers["ln_1.bias"]);
        model.Save(path);
        Assert.Equal(expected[0].RawBytes, OrtRun.Run(path, GptInput)[0].RawBytes); // ...and undoing it restores the bits.
    }

    [Fact]
    public void External_model_saved_without_options_stays_external_and_can_be_forced_inline()
    {
        using var tmp = new TempDirectory();
        SampleModels.Mlp(64, 64).Save(tmp.File("a.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        var model = OnnxModel.Load(tmp.File("a.onnx"));
        model.Save(tmp.File("b.onnx"));
        Assert.True(File.Exists(tmp.File("b.onnx.data")));
        model.Save(tmp.File("c.onnx"), new OnnxSaveOptions { ExternalDataThreshold = long.MaxValue });
        Assert.False(File.Exists(tmp.File("c.onnx.data")));
        Assert.Equal(SampleModels.Mlp(64, 64).ToBytes(), OnnxModel.Load(tmp.File("c.onnx")).ToBytes());
        Assert.Equal(SampleModels.Mlp(64, 64).ToBytes(), model.ToBytes());
    }

    [Fact]
    public void Generated_weights_stream_to_disk_and_read_back_equal()
    {
        // The suite's small stand-in for the >2 GB benchmark (tests/ModelCompress.Benchmarks: external-data).
        using var tmp = new TempDirectory();
        var path = tmp.File("large.onnx");
        SampleModels.LargeMatMuls(4, 512, 1024, seed: 11).Save(path, new OnnxSaveOptions { ExternalDataThreshold = 1024 });
        Assert.Equal(4L * 512 * 1024 * sizeof(float), new FileInfo(path + ".data").Length); // 2 MiB each: already aligned

        var loaded = OnnxModel.Load(path);
        var fresh = SampleModels.LargeMatMuls(4, 512, 1024, seed: 11);
        foreach (var (name, tensor) in loaded.Graph.Initializers)
        {
            Assert.True(tensor.IsExternal);
            Assert.Equal(fresh.Graph.Initializers[name].ComputeDataHash(), tensor.ComputeDataHash());
        }

        var x = new DeterministicRandom(1).Uniform(512, 1f);
        var y = OrtRun.Run(path, OrtInput.Float("x", x, 1, 512));
        var w0 = loaded.Graph.Initializers["w0"].ToFloatArray();
        for (var j = 0; j < 1024; j += 97)
        {
            var reference = 0.0;
            for (var k = 0; k < 512; k++)
            {
                reference += x[k] * (double)w0[(k * 1024) + j];
            }

            Assert.Equal(reference, y[0].Floats[j], 1e-4);
        }
    }

    [Fact]
    public void Inline_data_over_2GB_is_MC1012_before_anything_is_read()
    {
        var model = SampleModels.LargeMatMuls(9, 8192, 8192);
        var e = Assert.Throws<ModelCompress.Onnx.Diagnostics.ModelCompressException>(() => model.ToBytes());
        Assert.Equal("MC1012", e.Code);
        using var tmp = new TempDirectory();
        Assert.Equal("MC1012", Assert.Throws<ModelCompress.Onnx.Diagnostics.ModelCompressException>(
            () => model.Save(tmp.File("m.onnx"), new OnnxSaveOptions { ExternalDataThreshold = long.MaxValue })).Code);
        Assert.Empty(Directory.GetFiles(tmp.FullPath));
    }

    [Fact]
    public void Model_read_from_bytes_with_a_base_folder_resolves_external_data()
    {
        using var tmp = new TempDirectory();
        SampleModels.Mlp().Save(tmp.File("m.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 256 });
        var bytes = File.ReadAllBytes(tmp.File("m.onnx"));
        var model = OnnxModel.FromBytes(bytes, new OnnxLoadOptions { BaseDirectory = tmp.FullPath });
        Assert.True(model.Graph.Initializers["fc1.weight"].IsExternal);
        Assert.Equal(SampleModels.Mlp().ToBytes(), model.ToBytes());
        Assert.Null(model.FilePath);
    }

    [Theory]
    [InlineData("m.onnx")]
    [InlineData("../w.data")]
    [InlineData("sub/w.data")]
    public void External_data_file_name_must_be_a_plain_name_other_than_the_model(string name)
    {
        using var tmp = new TempDirectory();
        Assert.Throws<ArgumentException>(() => SampleModels.Mlp().Save(tmp.File("m.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1, ExternalDataFileName = name }));
        Assert.Empty(Directory.GetFiles(tmp.FullPath));
    }

    [Fact]
    public void Saving_does_not_tie_in_memory_tensors_to_the_saved_file()
    {
        var model = SampleModels.Mlp(64, 64);
        var clone = model.Clone();
        using (var tmp = new TempDirectory())
        {
            model.Save(tmp.File("m.onnx"), new OnnxSaveOptions { ExternalDataThreshold = 1024 });
            Assert.False(model.Graph.Initializers["fc1.weight"].IsExternal);
        }

        // The folder is gone; both the model and its clone (which shares its tensors) still have their data.
        Assert.Equal(SampleModels.Mlp(64, 64).ToBytes(), clone.ToBytes());
        Assert.Equal(SampleModels.Mlp(64, 64).ToBytes(), model.ToBytes());
    }

    [Fact]
    public void Loading_a_file_hashes_all_of_its_bytes_as_they_are_parsed()
    {
        using var tmp = new TempDirectory();
        var path = tmp.File("gpt.onnx");
        SampleModels.GptBlock().Save(path);
        var external = tmp.File("ext.onnx");
        SampleModels.GptBlock().Save(external, new OnnxSaveOptions { ExternalDataThreshold = 1024 });

        foreach (var file in new[] { path, external })
        {
            var model = OnnxModel.Load(file);

            Assert.Equal(Path.GetFullPath(file), model.LoadedFile!.Value.Path);
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)), model.LoadedFile.Value.Sha256);
            Assert.Equal(OnnxModel.FromBytes(File.ReadAllBytes(file), new OnnxLoadOptions { BaseDirectory = tmp.FullPath }).ToBytes(), model.ToBytes());
        }

        // A damaged file is still a coded error.
        var truncated = tmp.File("truncated.onnx");
        File.WriteAllBytes(truncated, File.ReadAllBytes(path)[..^9]);
        Assert.Equal("MC1002", Assert.Throws<Diagnostics.ModelCompressException>(() => OnnxModel.Load(truncated)).Code);

        Assert.Null(OnnxModel.FromBytes(File.ReadAllBytes(path)).LoadedFile);
    }
}
