using ModelCompress.Recipe;
using static ModelCompress.Tests.Recipe.RecipeTestProject;

namespace ModelCompress.Tests.Recipe;

public sealed class RecipePathTests : RecipeTests
{
    private static string WithSource(string source, bool allowOutside = false, string? output = null) => Y(
        "version: 1",
        $"allow_outside: {(allowOutside ? "true" : "false")}",
        $"output: {output ?? "compressed"}",
        "models:",
        "  - name: m",
        $"    source: '{source}'",
        "    steps: [ { quantize: { mode: dynamic } } ]");

    [Fact]
    public void A_path_that_escapes_the_project_is_blocked_at_its_line()
    {
        var outside = Path.Combine(Path.GetDirectoryName(Project.Root)!, "outside-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllBytes(outside, [1]);
        try
        {
            var (recipe, sink) = Project.Load(WithSource("../" + Path.GetFileName(outside)));

            Assert.Null(recipe);
            var d = Assert.Single(sink.Items);
            Assert.Equal(("MC2013", 6, 13), (d.Code, d.Line, d.Column));
            Assert.Contains(outside, d.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void Allow_outside_lets_the_same_path_through()
    {
        var outside = Path.Combine(Path.GetDirectoryName(Project.Root)!, "outside-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllBytes(outside, [1]);
        try
        {
            var recipe = Project.LoadValid(WithSource("../" + Path.GetFileName(outside), allowOutside: true));

            Assert.True(recipe.AllowOutside);
            Assert.Equal(outside, recipe.Models[0].SourcePath);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void An_absolute_path_is_allowed_inside_the_project_and_blocked_outside_it()
    {
        Assert.Equal(Project.Full("models/m.onnx"), Project.LoadValid(WithSource(Project.Full("models/m.onnx"))).Models[0].SourcePath);

        var (_, sink) = Project.Load(WithSource(Path.GetFullPath(Path.Combine(Project.Root, "..", "elsewhere.onnx"))));
        Assert.Equal("MC2013", Assert.Single(sink.Items).Code);
    }

    [Fact]
    public void Dot_dot_that_stays_inside_the_project_is_fine_and_backslashes_work_as_separators()
    {
        Assert.Equal(Project.Full("models/m.onnx"), Project.LoadValid(WithSource("data/../models/m.onnx")).Models[0].SourcePath);
        Assert.Equal(Project.Full("models/m.onnx"), Project.LoadValid(WithSource("models\\m.onnx")).Models[0].SourcePath);
    }

    [Fact]
    public void The_project_directory_option_widens_the_boundary_to_the_project_folder()
    {
        // The recipe lives in ml/ and refers to ../models: fine when the caller says the project is the parent.
        var recipePath = Project.Full("ml/compression.yaml");
        var yaml = WithSource("../models/m.onnx");
        var blocked = new Onnx.Diagnostics.ListDiagnosticSink();
        Assert.Null(RecipeLoader.LoadFromText(yaml, recipePath, RecipeLoadOptions.Default, blocked));
        Assert.Equal("MC2013", Assert.Single(blocked.Items).Code);

        var sink = new Onnx.Diagnostics.ListDiagnosticSink();
        var recipe = RecipeLoader.LoadFromText(yaml, recipePath, new RecipeLoadOptions { ProjectDirectory = Project.Root }, sink);
        Assert.Empty(sink.Items);
        Assert.Equal(Project.Root, recipe!.ProjectDirectory);
        Assert.Equal(Project.Full("models/m.onnx"), recipe.Models[0].SourcePath);
        Assert.Equal(Project.Full("ml/compressed"), recipe.OutputDirectory);
    }

    [Fact]
    public void The_output_folder_may_not_escape_either_but_need_not_exist()
    {
        Assert.Equal(Project.Full("out/new"), Project.LoadValid(WithSource("models/m.onnx", output: "out/new")).OutputDirectory);

        var (_, sink) = Project.Load(WithSource("models/m.onnx", output: "../out"));
        var d = Assert.Single(sink.Items);
        Assert.Equal(("MC2013", 3, 9), (d.Code, d.Line, d.Column));
    }

    [Fact]
    public void Every_missing_file_is_reported_at_the_line_of_its_key()
    {
        var (_, sink) = Project.Load(Y(
            "version: 1",
            "models:",
            "  - name: m",
            "    source: models/m.onnx",
            "    calibration: { data: data/nope.npz }",
            "    steps: [ smoothquant, quantize, { distill: { teacher: models/gone.onnx } } ]",
            "    verify:",
            "      data: data/val.npz",
            "      labels: data/no-labels.npy",
            "      tokenizer: missing.bin",
            "      format: text",
            "      thresholds: [ { metric: perplexity, max_increase: 0.1 } ]"));

        Assert.Equal(
            [("MC2014", 5, 26), ("MC2014", 6, 59), ("MC2014", 10, 18), ("MC2014", 9, 15)],
            sink.Items.Select(d => (d.Code, d.Line, d.Column)));
    }

    [Fact]
    public void File_existence_checks_can_be_turned_off_for_tools_that_only_read_the_shape()
    {
        var recipe = Project.LoadValid(
            Y("version: 1", "models:", "  - name: m", "    source: models/not-yet.onnx", "    steps: [ { quantize: { mode: dynamic } } ]"),
            new RecipeLoadOptions { CheckFilesExist = false });

        Assert.Equal(Project.Full("models/not-yet.onnx"), recipe.Models[0].SourcePath);
    }
}
