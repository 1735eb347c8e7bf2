using System.Collections.Immutable;

namespace ModelCompress.Recipe;

/// <summary>
/// Turns the located YAML tree into the immutable <see cref="Recipe"/>, checking every key, type, range, path and
/// cross-field rule. It never stops at the first problem: each part falls back to a default after reporting, so one
/// run lists every error in the file. Split by concern: models, data, steps, verify, paths.
/// </summary>
internal sealed partial class RecipeBinder
{
    private static readonly string[] TopKeys = ["version", "models", "output", "allow_outside", "cache"];
    private static readonly string[] CacheKeys = ["enabled", "max_size_mb"];

    private readonly RecipeReport _report;
    private readonly RecipeLoadOptions _options;
    private readonly string _recipePath;
    private readonly string _recipeDirectory;
    private readonly string _projectDirectory;
    private bool _allowOutside;

    public RecipeBinder(string recipePath, RecipeLoadOptions options, RecipeReport report)
    {
        _recipePath = recipePath;
        _options = options;
        _report = report;
        _recipeDirectory = Path.GetDirectoryName(recipePath) ?? Directory.GetCurrentDirectory();
        _projectDirectory = options.ProjectDirectory is { } p ? Path.GetFullPath(p) : _recipeDirectory;
    }

    /// <summary>Every key the schema knows, by section (docs/recipe.md must describe each; a test checks).</summary>
    /// <remarks>Built on each call: the arrays live in other partial files, whose static initializers have no
    /// defined order relative to this one.</remarks>
    internal static IReadOnlyDictionary<string, string[]> KnownKeys => new Dictionary<string, string[]>
    {
        ["top level"] = TopKeys,
        ["cache"] = CacheKeys,
        ["model"] = ModelKeys,
        ["calibration"] = CalibrationKeys,
        ["steps"] = StepNames,
        ["smoothquant"] = SmoothQuantKeys,
        ["quantize"] = QuantizeKeys,
        ["prune"] = PruneKeys,
        ["distill"] = DistillKeys,
        ["share"] = ShareKeys,
        ["verify"] = VerifyKeys,
        ["tune"] = TuneKeys,
        ["threshold"] = ThresholdKeys,
    };

    /// <summary>Binds the document root; returns null when any error was reported.</summary>
    public Recipe? Bind(YNode? root)
    {
        if (root is null || root is YScalar { IsNull: true })
        {
            _report.ErrorAt("MC2016", 1, 1);
            return null;
        }

        if (root is YError)
        {
            return null;
        }

        if (root is not YMapping map)
        {
            ScalarReader.WrongType(root, "the recipe", ValueKind.Mapping, _report);
            return null;
        }

        var top = new MappingScope(map, "the recipe's top level", TopKeys, _report);
        BindVersion(top);
        _allowOutside = top.Bool("allow_outside") ?? false;

        var outputDirectory = Path.Combine(_recipeDirectory, Recipe.DefaultOutput);
        if (top.ValueOf("output") is { } outputNode
            && ResolvePath(outputNode, "output", PathUse.OutputFolder, out var outputFull) is { })
        {
            outputDirectory = outputFull!;
        }

        var cache = BindCache(top);
        var models = BindModels(top);
        return _report.HasErrors
            ? null
            : new Recipe(Recipe.CurrentVersion, _recipePath, _projectDirectory, outputDirectory, _allowOutside, cache, models);
    }

    private void BindVersion(MappingScope top)
    {
        if (!top.Require("version", "1"))
        {
            return;
        }

        if (top.Integer("version", NumberRange.Any) is { } v && v != Recipe.CurrentVersion)
        {
            _report.Error("MC2015", top.ValueOf("version"), v);
        }
    }

    private CacheSettings BindCache(MappingScope top)
    {
        var node = top.Mapping("cache");
        if (node is null)
        {
            return new CacheSettings(true, CacheSettings.DefaultMaxSizeMb, _report.At(top.Node));
        }

        var scope = new MappingScope(node, "'cache'", CacheKeys, _report);
        var enabled = scope.Bool("enabled") ?? true;
        var size = scope.Integer("max_size_mb", new NumberRange(1, 1 << 20)) ?? CacheSettings.DefaultMaxSizeMb;
        return new CacheSettings(enabled, size, _report.At(node));
    }

    private ImmutableArray<ModelRecipe> BindModels(MappingScope top)
    {
        if (!top.Require("models", "[ { name: encoder, source: model.onnx, steps: [quantize] } ]"))
        {
            return [];
        }

        var list = top.List("models");
        if (list is null)
        {
            return [];
        }

        if (list.Items.Count == 0)
        {
            _report.Error("MC2033", list, "models", "model (name, source and steps)");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<ModelRecipe>();
        var names = new Dictionary<string, YNode>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (BindModel(list.Items[i], i, names) is { } model)
            {
                result.Add(model);
            }
        }

        return result.ToImmutable();
    }
}
