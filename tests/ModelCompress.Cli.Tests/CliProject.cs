using ModelCompress.Data;
using ModelCompress.Onnx;
using ModelCompress.Testing;

namespace ModelCompress.Cli.Tests;

/// <summary>A temp project with an MLP model, verify data and a recipe, for driving the verbs.</summary>
internal sealed class CliProject : IDisposable
{
    private readonly TempDirectory _dir = new();

    public CliProject(string steps = "      - quantize: { mode: weight_only }", string thresholds = "        - { metric: cosine, min: 0.999 }")
    {
        Directory.CreateDirectory(PathOf("models"));
        SampleModels.Mlp(inputSize: 32, hiddenSize: 64).Save(PathOf("models/model.onnx"));
        var rng = new Random(5);
        NpzArchive.WriteFile(PathOf("verify.npz"), new Dictionary<string, NdArray>
        {
            ["input"] = NdArray.FromFloats([.. Enumerable.Range(0, 16 * 32).Select(_ => (float)(rng.NextDouble() - 0.5))], 16, 32),
        });
        Recipe = PathOf("compression.yaml");
        File.WriteAllText(Recipe, $"""
            version: 1
            models:
              - name: mlp
                source: models/model.onnx
                steps:
            {steps}
                verify:
                  data: verify.npz
                  thresholds:
            {thresholds}

            """.ReplaceLineEndings("\n"));
    }

    public string Recipe { get; }

    public string PathOf(string relative) => Path.Combine(_dir.FullPath, relative);

    public void Dispose() => _dir.Dispose();
}
