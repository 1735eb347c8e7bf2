using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

public sealed class RecipeLoaderErrorTests : RecipeTests
{
    public static TheoryData<string, string, int, int, string> Cases => RecipeErrorCases.All;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_mistake_gives_exactly_its_code_at_its_line_and_column(string code, string yaml, int line, int column, string fragment)
    {
        var (recipe, sink) = Project.Load(yaml);

        Assert.Null(recipe);
        var d = Assert.Single(sink.Items);
        Assert.Equal((code, DiagnosticSeverity.Error, line, column), (d.Code, d.Severity, d.Line, d.Column));
        Assert.Equal(Project.RecipePath, d.File);
        Assert.Contains(fragment, d.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Project.RecipePath}({line},{column}): error {code}: ", d.ToCanonicalString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_recipe_code_has_a_test_that_triggers_it()
    {
        var tested = Cases.Select(row => (string)row[0]).Append("MC2001").Append("MC2028").Append("MC2037").ToHashSet();
        var recipeCodes = EngineDiagnostics.Catalog.All().Keys.Where(c => c.StartsWith("MC2", StringComparison.Ordinal));

        var untested = recipeCodes.Where(c => !tested.Contains(c)).ToList();
        Assert.True(untested.Count == 0, "recipe codes no test triggers: " + string.Join(", ", untested));
    }

    [Fact]
    public void A_missing_recipe_file_is_MC2001()
    {
        var sink = new ListDiagnosticSink();
        var missing = Path.Combine(Project.Root, "nope", "compression.yaml");

        Assert.Null(RecipeLoader.Load(missing, RecipeLoadOptions.Default, sink));
        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2001", missing), (d.Code, d.File));
        Assert.Contains("dotnet model-compress init", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recipe_path_that_is_a_folder_is_MC2037_not_a_crash()
    {
        var sink = new ListDiagnosticSink();
        var folder = Path.Combine(Project.Root, "models");

        Assert.Null(RecipeLoader.Load(folder, RecipeLoadOptions.Default, sink));
        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2037", folder), (d.Code, d.File));
    }

    [Fact]
    public void Absurdly_deep_nesting_is_a_coded_error_not_a_stack_overflow()
    {
        var deep = "version: 1\nx: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var (recipe, sink) = Project.Load(deep);

        Assert.Null(recipe);
        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2002", 2), (d.Code, d.Line));
        Assert.Contains("deeper than 64 levels", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Smoothquant_that_helps_no_activation_quantization_is_a_warning_and_the_recipe_still_loads()
    {
        var (recipe, sink) = Project.Load(Y(
            "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    calibration: { data: data/calib.npz }",
            "    steps:", "      - smoothquant", "      - quantize: { mode: weight_only }"));

        Assert.NotNull(recipe);
        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2028", DiagnosticSeverity.Warning, 7, 9), (d.Code, d.Severity, d.Line, d.Column));
    }

    [Fact]
    public void All_errors_in_the_file_are_reported_together_in_file_order()
    {
        var (recipe, sink) = Project.Load(Y(
            "version: 1",
            "outptu: out",
            "models:",
            "  - name: a",
            "    source: models/missing.onnx",
            "    steps:",
            "      - quantize: { mode: dynamik, weights: int3 }",
            "  - name: b",
            "    source: models/other.onnx",
            "    calibration: { data: data/calib.npz, samples: 0 }",
            "    steps: [ smoothquant, quantize, prun ]",
            "    verify:",
            "      data: data/val.npz",
            "      thresholds: [ { metric: cosine, max: 0.1 } ]"));

        Assert.Null(recipe);
        Assert.Equal(
            [("MC2004", 2, 1), ("MC2014", 5, 13), ("MC2008", 7, 27), ("MC2008", 7, 45), ("MC2007", 10, 51), ("MC2009", 11, 37),
                ("MC2017", 14, 39), ("MC2018", 14, 21)],
            sink.Items.Select(d => (d.Code, d.Line, d.Column)));
        Assert.All(sink.Items, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
    }

    [Fact]
    public void Duplicate_keys_are_all_reported_not_just_the_first()
    {
        var (_, sink) = Project.Load(Y(
            "version: 1", "version: 1", "models:", "  - name: m", "    name: n", "    source: models/m.onnx",
            "    steps: [ { quantize: { mode: dynamic, mode: static } } ]"));

        Assert.Equal(
            [("MC2003", 2, 1), ("MC2003", 5, 5), ("MC2003", 7, 43)],
            sink.Items.Select(d => (d.Code, d.Line, d.Column)));
    }

    [Theory]
    [InlineData("alpha: 2", "MC2007")]
    [InlineData("alpha: high", "MC2006")]
    [InlineData("alpha: 0.5, alpha_range: [0.2, 0.6]", "MC2017")]
    [InlineData("alpha: auto, alpha_range: [0.7, 0.3]", "MC2007")]
    [InlineData("alpha: auto, alpha_range: 0.5", "MC2006")]
    [InlineData("alpha: auto, alpha_step: 0.5", "MC2007")]
    [InlineData("alpha: auto, combine: median", "MC2008")]
    public void Smoothquant_settings_are_checked(string settings, string code)
    {
        var (_, sink) = Project.Load(Y(
            "version: 1", "models:", "  - name: m", "    source: models/m.onnx", "    calibration: { data: data/calib.npz }",
            "    steps:", $"      - smoothquant: {{ {settings} }}", "      - quantize"));

        var d = Assert.Single(sink.Items);
        Assert.Equal((code, 7), (d.Code, d.Line));
    }
}
