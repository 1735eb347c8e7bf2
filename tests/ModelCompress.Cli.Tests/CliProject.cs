using ModelCompress.Testing;

namespace ModelCompress.Cli.Tests;

/// <summary>
/// The verbs' temp project: <see cref="TestProject.Mlp"/> with a 32 → 64 → 64 → 10 MLP and 16 samples in verify.npz
/// (wider and with more samples where a test needs a run that lasts).
/// </summary>
internal sealed class CliProject : IDisposable
{
    private readonly TestProject _project;

    public CliProject(
        string steps = "      - quantize: { mode: weight_only }", string thresholds = "        - { metric: cosine, min: 0.999 }", int hiddenSize = 64, int samples = 16) =>
        _project = TestProject.Mlp(steps, thresholds, inputSize: 32, hiddenSize: hiddenSize, data: "verify.npz", samples: samples);

    public string Recipe => _project.Recipe;

    public string PathOf(string relative) => _project.PathOf(relative);

    public void Dispose() => _project.Dispose();
}
