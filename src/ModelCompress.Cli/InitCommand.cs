using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Passes;

namespace ModelCompress.Cli;

/// <summary><c>init &lt;model.onnx&gt;</c>: write a commented starter recipe for a model.</summary>
public static partial class InitCommand
{
    /// <summary>The verb's options.</summary>
    /// <param name="Model">The .onnx model the recipe is for.</param>
    /// <param name="Output">The recipe file to write (default <c>compression.yaml</c>); an existing file is kept unless <paramref name="Force"/>.</param>
    /// <param name="Force">Overwrite an existing recipe.</param>
    public sealed record Options(string Model, string Output = "compression.yaml", bool Force = false);

    /// <summary>Declares the verb and its options.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The .onnx model to write a recipe for." };
        var output = new Option<string>("--output", "-o") { Description = "The recipe to write.", DefaultValueFactory = _ => "compression.yaml" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing recipe." };
        var command = new Command("init", "Write a commented starter compression.yaml for a model.") { model, output, force };
        command.SetAction((parse, ct) => RunCommand.Invoke(parse, ct, () => new Options(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(force)), RunAsync));
        return command;
    }

    /// <summary>Runs the verb; refuses to replace an existing recipe without <c>--force</c> (usage error).</summary>
    public static Task<ExitCode> RunAsync(Options options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            ct.ThrowIfCancellationRequested();
            var recipePath = Path.GetFullPath(options.Output);
            if (File.Exists(recipePath) && !options.Force)
            {
                stderr.WriteLine($"error: '{recipePath}' already exists; pass --force to replace it.");
                return Task.FromResult(ExitCode.UsageError);
            }

            var model = OnnxModel.Load(options.Model);
            var text = Template(model, Path.GetFullPath(options.Model), Path.GetDirectoryName(recipePath)!);
            AtomicFile.WriteAllText(recipePath, text);
            stdout.WriteLine("wrote " + recipePath);
            return Task.FromResult(ExitCode.Success);
        }
        catch (Exception ex)
        {
            return Task.FromResult(CliErrors.Handle(ex, stderr));
        }
    }

    /// <summary>The starter recipe text for <paramref name="model"/>, with paths relative to <paramref name="recipeDirectory"/>.</summary>
    internal static string Template(OnnxModel model, string modelPath, string recipeDirectory)
    {
        var name = UnsafeNameChars().Replace(Path.GetFileNameWithoutExtension(modelPath), "_");
        var source = Path.GetRelativePath(recipeDirectory, modelPath).Replace('\\', '/');
        var layers = LinearLayerFinder.Find(model);
        var input = model.Graph.Inputs.FirstOrDefault(i => !model.Graph.Initializers.ContainsKey(i.Name));
        var sb = new StringBuilder();
        sb.Append("# compression.yaml for ").Append(Path.GetFileName(modelPath)).Append(" — written by 'dotnet model-compress init'.\n");
        sb.Append("# Paths are relative to this file. Run: dotnet model-compress run ").Append("compression.yaml\n");
        sb.Append("version: 1\n");
        sb.Append("models:\n");
        sb.Append("  - name: ").Append(name).Append('\n');
        sb.Append("    source: ").Append(Quote(source)).Append('\n');
        sb.Append("    steps:\n");
        sb.Append("      # int8 weights, one scale per output channel; activations stay float.\n");
        sb.Append("      # ").Append(layers.Count).Append(" layer(s) qualify: ")
          .Append(string.Join(", ", layers.Take(5).Select(l => $"{l.Name} ({l.OpType})"))).Append(layers.Count > 5 ? ", ..." : string.Empty).Append('\n');
        sb.Append("      - quantize: { mode: weight_only, weights: int8, per_channel: true }\n");
        sb.Append("    # Prove the accuracy: compare with the fp32 model on validation data (.npz keyed by input name,\n");
        sb.Append("    # .npy, or MNIST IDX) and fail the build on a regression. Uncomment and point at your data:\n");
        sb.Append("    # verify:\n");
        sb.Append("    #   data: data/validation.npz").Append(input is null ? string.Empty : "   # feeds input '" + input.Name + "'").Append('\n');
        sb.Append("    #   samples: 1000\n");
        sb.Append("    #   thresholds:\n");
        sb.Append("    #     - { metric: top1_agreement, min: 0.99 }\n");
        return sb.ToString();
    }

    private static string Quote(string path) =>
        path.IndexOfAny([':', '#', ' ', '\'', '"', '{', '}', '[', ']', ',']) >= 0 ? "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'" : path;

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex UnsafeNameChars();
}
