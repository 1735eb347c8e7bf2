using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

/// <summary>
/// Every real model under the fixtures folder (found recursively, so new fixtures are covered automatically) survives
/// load → save → load: the graph is semantically identical, the bytes we write are stable, and ONNX Runtime's outputs
/// on real inputs are bit-for-bit the same before and after, inline and with external data.
/// </summary>
public class FixtureRoundTripTests
{
    public static TheoryData<string> FixtureModels()
    {
        var data = new TheoryData<string>();
        foreach (var f in FixtureModelPaths())
        {
            data.Add(f);
        }

        return data;
    }

    internal static List<string> FixtureModelPaths()
    {
        var files = Directory.EnumerateFiles(Fixtures.Root, "*.onnx", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Fixtures.Root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count >= 6, $"Expected the six fixture models under {Fixtures.Root}, found {files.Count}.");
        return files;
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public void Fixture_round_trips_with_identical_graph_and_bit_identical_outputs(string relativePath)
    {
        var path = Fixtures.Require(relativePath);
        using var tmp = new TempDirectory();
        var original = OnnxModel.Load(path);
        var saved = tmp.File("model.onnx");
        original.Save(saved);

        var reloaded = OnnxModel.Load(saved);
        ModelAssert.Equivalent(original, reloaded);
        Assert.Equal(original.ToBytes(), reloaded.ToBytes());
        AssertSameOutputs(path, saved);
    }

    [Theory]
    [MemberData(nameof(FixtureModels))]
    public void Fixture_round_trips_through_external_data_with_bit_identical_outputs(string relativePath)
    {
        var path = Fixtures.Require(relativePath);
        using var tmp = new TempDirectory();
        var original = OnnxModel.Load(path);
        var saved = tmp.File("external.onnx");
        original.Save(saved, new OnnxSaveOptions { ExternalDataThreshold = 1024 });

        var reloaded = OnnxModel.Load(saved);
        var bigInitializers = original.Graph.AllGraphsRecursive().SelectMany(g => g.Initializers.Values).Count(t => t.ByteLength >= 1024);
        var external = reloaded.Graph.AllGraphsRecursive().SelectMany(g => g.Initializers.Values).Count(t => t.IsExternal);
        Assert.Equal(bigInitializers, external);
        Assert.Equal(bigInitializers > 0, File.Exists(saved + ".data"));
        ModelAssert.Equivalent(original, reloaded);
        AssertSameOutputs(path, saved);
    }

    [Fact]
    public void Reserializing_an_unchanged_fixture_reproduces_the_file_bytes()
    {
        // Our schema mirrors the IR's field numbers, types and packing, so an untouched model is written back byte
        // for byte. (Not a requirement of ONNX, but a strong check that nothing is lost or reinterpreted.)
        foreach (var relative in FixtureModelPaths())
        {
            var path = Fixtures.Require(relative);
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(OnnxModel.Load(path).ToBytes()), relative);
        }
    }

    internal static void AssertSameOutputs(string expectedModel, string actualModel)
    {
        foreach (var inputs in FixtureInputs.For(expectedModel))
        {
            var expected = OrtRun.Run(expectedModel, inputs);
            var actual = OrtRun.Run(actualModel, inputs);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Name, actual[i].Name);
                Assert.Equal(expected[i].Shape, actual[i].Shape);
                Assert.True(expected[i].RawBytes.AsSpan().SequenceEqual(actual[i].RawBytes), $"Output '{expected[i].Name}' differs.");
            }

            // Equality of constant outputs would prove little: the first output must carry real, finite values.
            var first = expected[0].Floats;
            Assert.All(first, v => Assert.True(float.IsFinite(v)));
            Assert.True(first.Distinct().Count() > 1 || first.Length == 1, "The model's output is constant; the inputs exercise nothing.");
        }
    }
}
