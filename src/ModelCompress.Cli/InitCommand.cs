using System.CommandLine;
using System.Text;
using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Cli;

/// <summary><c>init &lt;model.onnx&gt;</c>: write a commented starter recipe (<see cref="RecipeTemplate"/>) for a model.</summary>
public static class InitCommand
{
    /// <summary>The verb's options.</summary>
    /// <param name="Model">The .onnx model the recipe is for.</param>
    /// <param name="Output">The recipe file to write (default <c>compression.yaml</c>); an existing file is kept unless <paramref name="Force"/>.</param>
    /// <param name="Force">Overwrite an existing recipe.</param>
    /// <param name="Calibration">Calibration data (.npy/.npz/.txt/IDX); with it the recipe uses SmoothQuant and static int8.</param>
    /// <param name="Verify">Validation data; with it the recipe has an accuracy gate.</param>
    /// <param name="Labels">Labels for the validation data (adds an accuracy threshold).</param>
    public sealed record Options(
        string Model,
        string Output = RecipeLoader.DefaultFileName,
        bool Force = false,
        string? Calibration = null,
        string? Verify = null,
        string? Labels = null);

    /// <summary>Declares the verb and its options.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The .onnx model to write a recipe for." };
        var output = new Option<string>("--output", "-o") { Description = "The recipe to write.", DefaultValueFactory = _ => RecipeLoader.DefaultFileName };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing recipe." };
        var calibration = new Option<string?>("--calibration") { Description = "Calibration data file (enables SmoothQuant and static int8 in the recipe)." };
        var verify = new Option<string?>("--verify") { Description = "Validation data file (adds an accuracy gate)." };
        var labels = new Option<string?>("--labels") { Description = "Labels for the validation data (adds an accuracy threshold)." };
        var command = new Command("init", "Write a commented starter compression.yaml for a model.") { model, output, force, calibration, verify, labels };
        command.SetAction((parse, ct) => RunCommand.Invoke(parse, ct, () => new Options(
            parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(force),
            parse.GetValue(calibration), parse.GetValue(verify), parse.GetValue(labels)), RunAsync));
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
            AtomicFile.WriteAllText(recipePath, Text(model, options, Path.GetDirectoryName(recipePath)!));
            stdout.WriteLine("wrote " + recipePath);
            return Task.FromResult(ExitCode.Success);
        }
        catch (Exception ex)
        {
            return Task.FromResult(CliErrors.Handle(ex, stderr));
        }
    }

    /// <summary>
    /// The recipe: a comment naming the layers a quantize step will change, then <see cref="RecipeTemplate.Create"/>
    /// with paths relative to the recipe's folder.
    /// </summary>
    internal static string Text(OnnxModel model, Options options, string recipeDirectory)
    {
        string? Relative(string? path) => path is null ? null : Path.GetRelativePath(recipeDirectory, Path.GetFullPath(path)).Replace('\\', '/');
        var layers = ModelCompressEngine.FindLayers(model);
        var hints = ModelCompressEngine.ChooseMode(model, new RecipeTemplateHints
        {
            CalibrationData = Relative(options.Calibration),
            VerifyData = Relative(options.Verify),
            Labels = Relative(options.Labels),
            Input = model.Graph.Inputs.Count(i => !model.Graph.Initializers.ContainsKey(i.Name)) > 1
                ? model.Graph.Inputs.First(i => !model.Graph.Initializers.ContainsKey(i.Name)).Name
                : null,
        });
        var sb = new StringBuilder();
        sb.Append("# Written by 'dotnet model-compress init' for ").Append(Path.GetFileName(options.Model)).Append(": ")
          .Append(layers.Count).Append(" quantizable layer(s)");
        sb.Append(layers.Count == 0 ? "." : ": " + string.Join(", ", layers.Take(6).Select(l => $"{l.Name} ({l.Node.OpType})")) + (layers.Count > 6 ? ", ..." : "."));
        sb.Append('\n');
        sb.Append(RecipeTemplate.Create(RecipeTemplate.SuggestModelName(options.Model), Relative(options.Model)!, hints));
        return sb.ToString();
    }
}
