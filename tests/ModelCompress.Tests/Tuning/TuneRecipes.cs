using ModelCompress.Testing;

namespace ModelCompress.Tests.Tuning;

/// <summary>Recipes with a <c>tune:</c> section on the real fixtures.</summary>
internal static class TuneRecipes
{
    /// <summary>mnist-8 with MNIST test images for calibration (the last 64) and verification (the first <paramref name="samples"/>).</summary>
    public static string Mnist(string tune, string thresholds, int samples = 300, string verifyExtra = "") =>
        MnistRecipe("tune:", tune, thresholds, samples, verifyExtra);

    /// <summary>The same model and data with fixed steps (a hand-written recipe to compare the tuner with).</summary>
    public static string MnistSteps(string steps, string thresholds, int samples = 300) =>
        MnistRecipe("steps:", steps, thresholds, samples, verifyExtra: "");

    /// <summary>One mnist-8 recipe whose model section is <paramref name="section"/> (<c>tune:</c> or <c>steps:</c>).</summary>
    private static string MnistRecipe(string section, string body, string thresholds, int samples, string verifyExtra)
    {
        var images = Fixtures.Require("data/mnist/t10k-images-idx3-ubyte.gz");
        return $$"""
            version: 1
            allow_outside: true
            models:
              - name: mnist
                source: {{Fixtures.Require("models/mnist-8.onnx")}}
                calibration: { data: {{images}}, samples: 64 }
                {{section}}
            {{body}}
                verify:
                  data: {{images}}
                  labels: {{Fixtures.Require("data/mnist/t10k-labels-idx1-ubyte.gz")}}
                  samples: {{samples}}
                  per_layer: false
            {{verifyExtra}}
                  thresholds:
            {{thresholds}}
            """;
    }
}
